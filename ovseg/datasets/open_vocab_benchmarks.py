"""Open-vocabulary segmentation benchmarks that mmseg lacks: ADE20K-847, Pascal Context-459,
Pascal VOC-20, plus a 16-bit annotation loader.

The evaluation protocol of OVSeg / ZSSeg / SAN / CAT-Seg (``ovseg.md`` Sec. 6): single scale,
mIoU over the dataset's classes with mmseg's ``IoUMetric``. ADE20K-150, Pascal Context-59 and
COCO-Stuff-171 are mmseg's own datasets (``ADE20KDataset``, ``PascalContextDataset59``,
``COCOStuffDataset``); their configs are in ``configs/_base_/datasets/*_ov.py``.

ADE20K-847 and Pascal Context-459 come as 16-bit label maps (ignore 65535) from the usual
detectron2-style conversion. mmseg has no class list for them; the names are read from the
dataset's own label file under ``data_root`` when the dataset is built (never invented here).
"""
import json
import os.path as osp
import re
import warnings
from typing import List, Optional

import mmcv
import numpy as np
from mmengine import fileio
from mmseg.datasets import BaseSegDataset, PascalVOCDataset
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import DATASETS, TRANSFORMS

from .seg_listing import check_label_maps_have_images

_ID_NAME = re.compile(r'^\s*(\d+)\s*[:\t]\s*(.+?)\s*$')
_JSON_ID_KEYS = ('trainId', 'train_id', 'id')


def read_class_names(path: str) -> List[str]:
    """Class names from a dataset label file, in label-id order.

    Formats:

    - text with ``<id>: <name>`` lines (Pascal Context's ``labels.txt``): sorted by id;
    - text with one name per line (label id = line number);
    - JSON: a list of names, or of dicts with ``name`` and one of ``trainId``/``train_id``/``id``
      (detectron2-style category lists), sorted by that id.

    Args:
        path (str): the file.

    Returns:
        list[str]: names (comma-separated synonyms kept as they are).
    """
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if path.endswith('.json'):
        items = json.loads(text)
        if items and isinstance(items[0], dict):
            key = next((k for k in _JSON_ID_KEYS if k in items[0]), None)
            if key is not None:
                items = sorted(items, key=lambda item: item[key])
            return [str(item['name']).strip() for item in items]
        return [str(item).strip() for item in items]
    lines = [line for line in text.splitlines() if line.strip()]
    matches = [_ID_NAME.match(line) for line in lines]
    if matches and all(matches):
        return [m.group(2) for m in sorted(matches, key=lambda m: int(m.group(1)))]
    return [line.strip() for line in lines]


class _NamesFromFileDataset(BaseSegDataset):
    """A dataset whose class names are read from ``data_root/class_names_file`` at build time.

    ``METAINFO['num_classes']`` fixes how many names the file must hold. Without the file the
    dataset still builds with ``lazy_init=True`` (offline config checks; ``classes`` is None and
    a warning names the file), and raises otherwise.
    """

    METAINFO: dict = dict()
    CLASS_NAMES_HINT = ''

    def __init__(self, *, class_names_file: str, data_root: Optional[str] = None,
                 metainfo: Optional[dict] = None, lazy_init: bool = False, **kwargs) -> None:
        metainfo = dict(metainfo or {})
        if 'classes' not in metainfo:
            path = class_names_file
            if data_root is not None and not osp.isabs(path):
                path = osp.join(data_root, path)
            if osp.isfile(path):
                names = read_class_names(path)
                expected = self.METAINFO['num_classes']
                if len(names) != expected:
                    raise ValueError(f'{path} lists {len(names)} classes; '
                                     f'{type(self).__name__} has {expected}.')
                metainfo['classes'] = tuple(names)
            elif lazy_init:
                warnings.warn(f'{type(self).__name__}: no class names file {path}; metainfo '
                              f'has no classes until it exists. {self.CLASS_NAMES_HINT}')
            else:
                raise FileNotFoundError(f'{type(self).__name__} reads its class names from '
                                        f'{path}, which does not exist. {self.CLASS_NAMES_HINT}')
        super().__init__(data_root=data_root, metainfo=metainfo, lazy_init=lazy_init, **kwargs)

    def load_data_list(self) -> List[dict]:
        """mmseg's listing of the image folder, checked against the label maps."""
        return check_label_maps_have_images(self, super().load_data_list())


@DATASETS.register_module()
class ADE20K847Dataset(_NamesFromFileDataset):
    """ADE20K-full, 847 classes (A-847): 2,000 validation images, 16-bit TIFF labels.

    Layout of the detectron2-style conversion (``images_detectron2/validation/*.jpg``,
    ``annotations_detectron2/validation/*.tif``; short side <= 512; label = trainId, ordered by
    frequency; 65535 = ignore). Class names (WordNet synonym strings such as
    ``'chest of drawers, chest, bureau, dresser'``) are read from ``class_names_file``: the
    category list of that conversion in trainId order (JSON with ``name``/``trainId`` or text).

    Args:
        class_names_file (str): relative to ``data_root``. Defaults to
            ``'ade20k_847_classes.json'``.
        img_suffix (str): Defaults to '.jpg'.
        seg_map_suffix (str): Defaults to '.tif'.
        ignore_index (int): Defaults to 65535.
        **kwargs: :class:`mmseg.datasets.BaseSegDataset` arguments.
    """

    METAINFO = dict(num_classes=847)
    CLASS_NAMES_HINT = ('Write the 847 category names of the ADE20K-full conversion, in '
                        'trainId order, to that file (JSON list of {"name", "trainId"} or one '
                        'name per line).')

    def __init__(self, *, class_names_file: str = 'ade20k_847_classes.json',
                 img_suffix: str = '.jpg', seg_map_suffix: str = '.tif',
                 ignore_index: int = 65535, reduce_zero_label: bool = False, **kwargs) -> None:
        super().__init__(class_names_file=class_names_file, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, ignore_index=ignore_index,
                         reduce_zero_label=reduce_zero_label, **kwargs)


@DATASETS.register_module()
class PascalContext459Dataset(_NamesFromFileDataset):
    """Pascal Context, full 459 classes (PC-459): 5,105 validation images, 16-bit TIFF labels.

    Labels are Pascal Context's ``LabelMap`` ids minus one (0 = unlabelled -> 65535). Class
    names come from the dataset's own ``labels.txt`` (``<id>: <name>`` lines, ids 1..459).

    Args:
        class_names_file (str): relative to ``data_root``. Defaults to ``'labels.txt'``.
        img_suffix (str): Defaults to '.jpg'.
        seg_map_suffix (str): Defaults to '.tif'.
        ignore_index (int): Defaults to 65535.
        **kwargs: :class:`mmseg.datasets.BaseSegDataset` arguments.
    """

    METAINFO = dict(num_classes=459)
    CLASS_NAMES_HINT = ("Copy Pascal Context's labels.txt (from trainval.tar.gz, '<id>: <name>' "
                        'lines) there.')

    def __init__(self, *, class_names_file: str = 'labels.txt', img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.tif', ignore_index: int = 65535,
                 reduce_zero_label: bool = False, **kwargs) -> None:
        super().__init__(class_names_file=class_names_file, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, ignore_index=ignore_index,
                         reduce_zero_label=reduce_zero_label, **kwargs)


@DATASETS.register_module()
class PascalVOC20Dataset(BaseSegDataset):
    """Pascal VOC 2012 without background (PAS-20): 1,449 validation images.

    VOC's ``SegmentationClass`` PNGs (0 background, 1..20 objects, 255 boundary) are read with
    ``reduce_zero_label=True``: background and boundary become 255 (ignored), objects 0..19.
    The 20 names are mmseg's VOC classes without ``'background'``.

    Args:
        img_suffix (str): Defaults to '.jpg'.
        seg_map_suffix (str): Defaults to '.png'.
        reduce_zero_label (bool): Must stay True. Defaults to True.
        **kwargs: :class:`mmseg.datasets.BaseSegDataset` arguments (``ann_file`` =
            ``ImageSets/Segmentation/val.txt``).

    Examples:
        >>> ds = PascalVOC20Dataset(lazy_init=True)
        >>> len(ds.metainfo['classes']), ds.metainfo['classes'][0]
        (20, 'aeroplane')
    """

    METAINFO = dict(classes=PascalVOCDataset.METAINFO['classes'][1:],
                    palette=PascalVOCDataset.METAINFO['palette'][1:], num_classes=20)

    def __init__(self, *, img_suffix: str = '.jpg', seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = True, **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=reduce_zero_label, **kwargs)


@TRANSFORMS.register_module()
class LoadAnnotations16Bit(LoadAnnotations):
    """``LoadAnnotations`` for 16-bit label maps (TIFF or PNG), keeping values above 255.

    mmseg's loader casts to uint8, which folds 65535 onto 255 and class 256 onto 0. This one
    decodes unchanged with OpenCV and keeps uint16 (the ignore value is 65535).
    ``reduce_zero_label`` maps 0 to ``ignore_index`` and shifts the rest down by one.

    Args:
        ignore_index (int): ignore value of the maps. Defaults to 65535.
        imdecode_backend (str): ``mmcv.imfrombytes`` backend. Defaults to ``'cv2'``.
        **kwargs: ``LoadAnnotations`` arguments.
    """

    def __init__(self, *, ignore_index: int = 65535, imdecode_backend: str = 'cv2',
                 **kwargs) -> None:
        super().__init__(imdecode_backend=imdecode_backend, **kwargs)
        self.ignore_index = ignore_index

    def _load_seg_map(self, results: dict) -> None:
        data = fileio.get(results['seg_map_path'], backend_args=self.backend_args)
        label = mmcv.imfrombytes(data, flag='unchanged', backend=self.imdecode_backend)
        label = np.asarray(label).squeeze().astype(np.uint16)
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label:
            zero = label == 0
            label = label - 1
            label[zero] = self.ignore_index
            label[label == self.ignore_index - 1] = self.ignore_index
        if results.get('label_map') is not None:
            original = label.copy()
            for old_id, new_id in results['label_map'].items():
                label[original == old_id] = new_id
        results['gt_seg_map'] = label
        results['seg_fields'].append('gt_seg_map')


def list_open_vocab_benchmarks() -> List[str]:
    """Config stems of the evaluation datasets (``configs/_base_/datasets/<stem>_ov.py``)."""
    return ['ade20k-150', 'ade20k-847', 'pascal-context-59', 'pascal-context-459',
            'pascal-voc-20', 'coco-stuff-171']


__all__ = ['ADE20K847Dataset', 'LoadAnnotations16Bit', 'PascalContext459Dataset',
           'PascalVOC20Dataset', 'list_open_vocab_benchmarks', 'read_class_names']
