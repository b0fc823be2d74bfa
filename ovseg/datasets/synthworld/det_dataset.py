"""mmdet dataset of SynthWorld COCO instance annotations (thing shapes only)."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .vocab import thing_metainfo


@DATASETS.register_module()
class SynthWorldDetDataset(CocoDataset):
    """SynthWorld boxes and RLE masks from ``annotations/instances_<split>.json``.

    Classes are the 14 thing shapes, COCO ``category_id`` = class index + 1. In ``train`` the
    unseen things have no annotations (their pixels are still in the image). Metainfo adds
    ``class_synonyms`` and ``seen`` (bool per class). Arguments are those of
    :class:`mmdet.datasets.CocoDataset`, e.g. ``data_root``,
    ``ann_file='annotations/instances_val.json'``, ``data_prefix=dict(img='img_dir/val/')``.

    Examples:
        >>> SynthWorldDetDataset(lazy_init=True).metainfo['classes'][:3]
        ('circle', 'square', 'triangle')
    """
    METAINFO = thing_metainfo()
