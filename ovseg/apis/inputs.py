"""What the inferencer accepts as input: image files, RGB arrays, lists, folders, videos.

:func:`expand_inputs` turns one input argument into :class:`InputItem` s, lazily (a video's
frames are read one at a time), with their count for the progress bar. Files are not opened
here: the inferencer reads each with the config's ``LoadImageFromFile``, so that an unreadable
one raises :class:`~ovseg.compat.image.ImageReadError` naming it and the others go on.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from ovseg.utils.errors import InputError

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')

InputType = Union[str, np.ndarray]
InputsType = Union[InputType, Sequence[InputType]]


@dataclass
class InputItem:
    """One image to segment.

    Args:
        index (int): position among all images of the call.
        stem (str): output file stem (file name without extension; ``00000003`` for the
            fourth input when it is an array; ``<video>_<frame>`` for video frames).
        path (str, optional): the image file, or None for an array.
        array (np.ndarray, optional): (H, W, 3) uint8 RGB, or None for a file.
    """
    index: int
    stem: str
    path: Optional[str] = None
    array: Optional[np.ndarray] = None


def as_rgb_uint8(array: np.ndarray, *, what: str = 'input array') -> np.ndarray:
    """An image array as (H, W, 3) uint8 RGB: gray (H, W) or (H, W, 1) is repeated, RGBA drops
    its alpha, uint16 is scaled to 8 bits.

    Raises:
        InputError: naming ``what``, for any other shape or dtype.
    """
    if not isinstance(array, np.ndarray):
        raise InputError(f'{what} is a {type(array).__name__}, not an image path or array')
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4) or 0 in array.shape:
        raise InputError(f'{what} has shape {array.shape}; expected (H, W, 3) RGB, '
                         '(H, W) gray or (H, W, 4) RGBA')
    if array.dtype == np.uint16:
        array = (array // 257).astype(np.uint8)
    if array.dtype != np.uint8:
        raise InputError(f'{what} has dtype {array.dtype}; expected uint8 (or uint16)')
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    return np.ascontiguousarray(array[..., :3])


def _folder_images(folder: str) -> List[str]:
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise InputError(f'folder {folder} has no images ({", ".join(IMAGE_EXTENSIONS)})')
    return [osp.join(folder, f) for f in files]


def _video_frames(path: str, first_index: int) -> Tuple[Iterator[InputItem], int]:
    import cv2
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise InputError(f'cannot read video {path}')
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    stem = osp.splitext(osp.basename(path))[0]

    def frames() -> Iterator[InputItem]:
        frame = 0
        try:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    return
                yield InputItem(first_index + frame, f'{stem}_{frame:06d}',
                                array=np.ascontiguousarray(bgr[..., ::-1]))
                frame += 1
        finally:
            capture.release()
    return frames(), count


def expand_inputs(inputs: InputsType) -> Tuple[Iterator[InputItem], int]:
    """The images of ``inputs``, in order, and how many there are (videos: as the file says).

    Args:
        inputs: an image path, an (H, W, 3) uint8 RGB array, a folder (its images, sorted by
            name; other files skipped), a video file (every frame), or a list of those.

    Raises:
        InputError: an empty list, a folder without images, an unreadable video.
    """
    singles = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not singles:
        raise InputError('no inputs: give an image path, an array, a folder or a video')
    parts: List[Tuple[Iterator[InputItem], int]] = []
    index = 0
    for single in singles:
        if isinstance(single, str) and osp.isdir(single):
            paths = _folder_images(single)
            parts.append((iter([InputItem(index + i, osp.splitext(osp.basename(p))[0], path=p)
                                for i, p in enumerate(paths)]), len(paths)))
        elif isinstance(single, str) and single.lower().endswith(VIDEO_EXTENSIONS):
            parts.append(_video_frames(single, index))
        elif isinstance(single, str):
            parts.append((iter([InputItem(index, osp.splitext(osp.basename(single))[0],
                                          path=single)]), 1))
        else:
            array = as_rgb_uint8(single, what=f'input {index}')
            parts.append((iter([InputItem(index, f'{index:08d}', array=array)]), 1))
        index += parts[-1][1]

    def chain() -> Iterator[InputItem]:
        seen: dict = {}
        for items, _ in parts:
            for item in items:
                n = seen.get(item.stem, 0)
                seen[item.stem] = n + 1
                if n:  # two files of the same name in different folders
                    item.stem = f'{item.stem}_{n}'
                yield item
    return chain(), sum(count for _, count in parts)


def build_image_pipeline(cfg: Any) -> Tuple[Any, Any]:
    """(image loader, rest of the test pipeline) of a config: its own ``LoadImageFromFile``
    (so a file is read exactly as ``tools/test.py`` reads it), annotations dropped.

    Raises:
        InputError: the test pipeline does not start with ``LoadImageFromFile``.
    """
    from mmengine.dataset import Compose
    if cfg.get('default_scope') == 'mmdet':
        from mmdet.registry import TRANSFORMS
    else:
        from mmseg.registry import TRANSFORMS
    steps = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
    steps = [dict(s) for s in steps if s['type'] not in ('LoadAnnotations',
                                                          'LoadDepthAnnotation')]
    if not steps or steps[0]['type'] != 'LoadImageFromFile':
        raise InputError('the test pipeline must start with LoadImageFromFile')
    return TRANSFORMS.build(steps[0]), Compose([TRANSFORMS.build(s) for s in steps[1:]])


def read_batches(inputs: Iterable[InputItem], pipeline: Tuple[Any, Any],
                 collate_fn: Callable[[list], dict], batch_size: int = 1, *,
                 errors: Optional[list] = None) -> Iterator[Tuple[List[InputItem], dict]]:
    """Batches of (items with their RGB images, collated pipeline outputs).

    A batch holds images of one size after the test pipeline (an image of another size
    starts a new batch), so that each result equals that of a one-image forward.

    Args:
        inputs (Iterable[InputItem]): from :func:`expand_inputs`.
        pipeline (tuple): (loader, rest) of :func:`build_image_pipeline`.
        collate_fn (Callable): e.g. mmengine's ``pseudo_collate``.
        batch_size (int): images per batch at most. Defaults to 1.
        errors (list, optional): an image that cannot be read
            (:class:`~ovseg.compat.image.ImageReadError`, naming it) or converted is appended
            here as ``dict(index, image_path, error)`` and skipped; None: raise.
    """
    loader, rest = pipeline
    items, data = [], []
    for item in inputs:
        try:
            if item.path is not None:
                loaded = loader(dict(img_path=item.path))
                item.array = np.ascontiguousarray(loaded['img'][..., ::-1])  # BGR -> RGB
            else:
                bgr = np.ascontiguousarray(item.array[..., ::-1])
                loaded = dict(img=bgr.astype(np.float32) if loader.to_float32 else bgr,
                              img_path=None, img_shape=bgr.shape[:2],
                              ori_shape=bgr.shape[:2])
            packed = rest(loaded)
        except InputError as err:
            if errors is None:
                raise
            errors.append(dict(index=item.index, image_path=item.path, error=str(err)))
            continue
        # mmseg's preprocessor stacks a test batch without padding: images of another size
        # after the pipeline start a new batch (padding would change the predictions)
        if data and packed['inputs'].shape != data[0]['inputs'].shape:
            yield items, collate_fn(data)
            items, data = [], []
        data.append(packed)
        items.append(item)
        if len(items) == batch_size:
            yield items, collate_fn(data)
            items, data = [], []
    if items:
        yield items, collate_fn(data)
