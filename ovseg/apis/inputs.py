"""What the inferencer accepts as input: image files, RGB arrays, lists, folders, videos.

:func:`expand_inputs` turns one input argument into :class:`InputItem` s, lazily (a video's
frames are read one at a time), with their count for the progress bar. Files are not opened
here: the inferencer reads each with the config's ``LoadImageFromFile``, so that an unreadable
one raises :class:`~ovseg.compat.image.ImageReadError` naming it and the others go on.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple, Union

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
