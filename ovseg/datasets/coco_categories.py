"""COCO categories as an open-vocabulary label space: super-categories as parents, base / novel."""
from typing import List, Sequence

import numpy as np
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .annotations import AnnotationError, field

# The open-vocabulary COCO split of OVR-CNN (https://arxiv.org/abs/2011.10678), used by OvarNet:
# 48 base categories to train on, 17 novel ones only evaluated (65 in all).
COCO_OV_BASE = (
    'person', 'bicycle', 'car', 'motorcycle', 'train', 'truck', 'boat', 'bench', 'bird',
    'horse', 'sheep', 'bear', 'zebra', 'giraffe', 'backpack', 'handbag', 'suitcase', 'frisbee',
    'skis', 'kite', 'surfboard', 'bottle', 'fork', 'spoon', 'bowl', 'banana', 'apple',
    'sandwich', 'orange', 'broccoli', 'carrot', 'pizza', 'donut', 'chair', 'bed', 'toilet', 'tv',
    'laptop', 'mouse', 'remote', 'microwave', 'oven', 'toaster', 'refrigerator', 'book', 'clock',
    'vase', 'toothbrush')
COCO_OV_NOVEL = (
    'airplane', 'bus', 'cat', 'dog', 'cow', 'elephant', 'umbrella', 'tie', 'snowboard',
    'skateboard', 'cup', 'knife', 'cake', 'couch', 'keyboard', 'sink', 'scissors')
#: The 65 categories in COCO's label order.
COCO_OV_CLASSES = tuple(c for c in CocoDataset.METAINFO['classes']
                        if c in COCO_OV_BASE or c in COCO_OV_NOVEL)


@DATASETS.register_module()
class CocoCategoryDataset(CocoDataset):
    """COCO-format instances with category parents and a base / novel split.

    mmdet's :class:`~mmdet.datasets.CocoDataset` reads the file; this class adds to the
    metainfo ``class_parents`` (each category's ``supercategory``, the parent type of
    OvarNet's category prompts, e.g. ``'zebra'`` -> ``'animal'``), ``seen`` (ovseg's
    per-class base flag), and ``base_classes`` / ``novel_classes`` (the keys of mmdet's
    ``OVCocoMetric``, which reports AP50 base / novel). The split comes from
    ``metainfo=dict(novel_classes=...)``, else from the categories' ``ov_set`` field (OVAD's
    file), else every class is base.

    With ``per_instance=True`` there is one item per object instead of per image, with the
    keys of ``SynthWorldAttributeDataset`` (``img_path``, ``img_id``, ``instance_id`` (the
    annotation id), ``bbox`` (x1, y1, x2, y2), ``bbox_label``), for CLIP-Attr's crops; crowd
    boxes are left out. If the metainfo has ``attributes`` (a federated label space), each
    item also gets ``attribute_targets``: (A,) all -1 (COCO labels no attribute).

    Args:
        per_instance (bool): one item per object. Defaults to False.
        skip_novel_instances (bool): leave out objects of novel classes (open-vocabulary
            training: novel objects are never labelled, not even as negatives). Defaults to
            False.
        **kwargs: :class:`~mmdet.datasets.CocoDataset` arguments (``data_root``,
            ``ann_file``, ``data_prefix=dict(img=...)``, ``metainfo``, ``pipeline``, ...).

    Examples:
        >>> CocoCategoryDataset(lazy_init=True).metainfo['classes'][:2]
        ('person', 'bicycle')
    """

    def __init__(self, *, per_instance: bool = False, skip_novel_instances: bool = False,
                 **kwargs) -> None:
        self.per_instance = per_instance
        self.skip_novel_instances = skip_novel_instances
        self._novel_labels: set = set()
        self._parsed_categories = False
        super().__init__(**kwargs)

    # reading ------------------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        self._parsed_categories = False
        data_list = super().load_data_list()
        if not self._parsed_categories:
            raise AnnotationError(f'{self.ann_file}: no "images"')
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """mmdet's parsing, one annotation at a time so that each object keeps its id."""
        if not self._parsed_categories:  # the COCO api lives only while the file is read
            self._parse_categories()
            self._parsed_categories = True
        anns = raw_data_info['raw_ann_info']
        data_info = super().parse_data_info(dict(raw_data_info, raw_ann_info=[]))
        for ann in anns:
            for instance in super().parse_data_info(
                    dict(raw_data_info, raw_ann_info=[ann]))['instances']:
                if self.skip_novel_instances and instance['bbox_label'] in self._novel_labels:
                    continue
                instance['instance_id'] = ann['id']
                self._parse_instance(instance, ann)
                data_info['instances'].append(instance)
        return data_info

    def _parse_instance(self, instance: dict, ann: dict) -> None:
        """Add fields of one annotation to its instance (subclasses read attributes here)."""

    def _parse_categories(self) -> None:
        """``class_parents``, ``seen``, ``base_classes`` / ``novel_classes`` from the file."""
        names = self.metainfo['classes']
        categories = {c['name']: c for c in self.coco.dataset.get('categories', [])
                      if isinstance(c, dict) and 'name' in c}
        missing = [name for name in names if name not in categories]
        if missing:
            raise AnnotationError(f'{self.ann_file}: the categories have no {missing[:5]} '
                                  f'(metainfo classes missing from "categories")')
        category_ids = {c.get('id') for c in categories.values()}
        for ann in self.coco.dataset.get('annotations', []):
            if ann.get('category_id') not in category_ids:
                raise AnnotationError(f'{self.ann_file}: annotation id {ann.get("id")} has '
                                      f'category_id {ann.get("category_id")!r}, not the "id" '
                                      'of a category')
        parents = [field(categories[name], 'supercategory', f'{self.ann_file}: category '
                         f'{name!r}', str) for name in names]
        novel = self.metainfo.get('novel_classes')
        if novel is None:
            novel = [name for name in names if categories[name].get('ov_set') == 'novel']
        self._metainfo.update(category_split(names, novel), class_parents=tuple(parents))
        self._novel_labels = {k for k, seen in enumerate(self.metainfo['seen']) if not seen}
        if self.skip_novel_instances:  # an image of novel objects only is an empty image
            for k in self._novel_labels:
                self.cat_img_map[self.cat_ids[k]] = []

    # per-instance items -------------------------------------------------------------------
    def filter_data(self) -> List[dict]:
        """mmdet's image filter, then (``per_instance``) one item per non-crowd object."""
        data_list = super().filter_data()
        if not self.per_instance:
            return data_list
        num_attributes = len(self.metainfo.get('attributes') or ())
        items = []
        for image in data_list:
            for instance in image['instances']:
                if instance['ignore_flag']:
                    continue
                item = dict(img_path=image['img_path'], img_id=image['img_id'],
                            height=image['height'], width=image['width'],
                            instance_id=instance['instance_id'], bbox=instance['bbox'],
                            bbox_label=instance['bbox_label'])
                for key in ('attribute_targets', 'positive_attributes', 'negative_attributes'):
                    if key in instance:
                        item[key] = instance[key]
                if num_attributes and 'attribute_targets' not in item:
                    item['attribute_targets'] = np.full(num_attributes, -1, dtype=np.int8)
                items.append(item)
        return items

    def get_cat_ids(self, idx: int) -> List[int]:
        """Category labels of item ``idx`` (one object in ``per_instance`` mode)."""
        if self.per_instance:
            return [self.get_data_info(idx)['bbox_label']]
        return super().get_cat_ids(idx)


def category_split(classes: Sequence[str], novel: Sequence[str]) -> dict:
    """``seen`` flags (ovseg) and ``base_classes`` / ``novel_classes`` (mmdet) of ``classes``.

    Raises:
        AnnotationError: a novel class that is not among ``classes``.

    Examples:
        >>> category_split(('cat', 'dog'), ('dog',))['seen']
        (True, False)
    """
    unknown = set(novel) - set(classes)
    if unknown:
        raise AnnotationError(f'metainfo novel_classes {sorted(unknown)} are not among the '
                              'classes')
    return dict(seen=tuple(name not in novel for name in classes),
                base_classes=tuple(name for name in classes if name not in novel),
                novel_classes=tuple(name for name in classes if name in novel))


def coco_ov_metainfo(*, split: str = '48_17') -> dict:
    """Metainfo of COCO's open-vocabulary split for :class:`CocoCategoryDataset`.

    Args:
        split (str): ``'48_17'`` (65 classes, OVR-CNN / OvarNet) or ``'48_32'`` (all 80,
            OVAD's objects). Defaults to ``'48_17'``.

    Examples:
        >>> meta = coco_ov_metainfo()
        >>> len(meta['classes']), len(meta['novel_classes'])
        (65, 17)
    """
    if split == '48_17':
        classes = COCO_OV_CLASSES
    elif split == '48_32':
        classes = tuple(CocoDataset.METAINFO['classes'])
    else:
        raise ValueError(f"split must be '48_17' or '48_32', not {split!r}")
    return dict(classes=classes, base_classes=COCO_OV_BASE,
                novel_classes=tuple(c for c in classes if c not in COCO_OV_BASE))
