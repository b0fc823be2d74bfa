"""VAW: Visual Attributes in the Wild (620 attributes, per-instance JSON over Visual Genome)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmdet.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from .annotations import (AnnotationError, attribute_metainfo, field, label_vector,
                          load_annotation, xywh_box)
from .coco_categories import category_split


def read_vaw_vocabulary(*, index_file: str, types_file: str, parent_types_file: str,
                        head_tail_file: Optional[str] = None,
                        base_novel_file: Optional[str] = None) -> dict:
    """The attribute metainfo of VAW's vocabulary files (``adobe-research/vaw_dataset``).

    - ``attribute_index.json``: ``{name: index}``, indices 0..A-1 (label order);
    - ``attribute_types.json``: ``{type: [names]}``; an attribute's type is the first type
      (in file order) that lists it, ``'other'`` if none, as VAW's evaluator decides;
    - ``attribute_parent_types.json``: ``{group: [types]}``, the groups VAW reports
      (``color``, ``materia``, ``shape``, ``size``, ``action``, ``state``, ``texture``,
      ``other``); a type in none is ``'other'``;
    - optional ``head_tail.json``: ``{"head": [names], "medium": [...], "tail": [...]}``,
      VAW's split by training frequency;
    - optional base / novel split (OvarNet's ``base2novel_att2id.json``): ``{"base":
      names or {name: id}, "novel": ...}``.

    Returns:
        dict: :func:`~.annotations.attribute_metainfo` keys; the type is the parent word
        of the prompts (OvarNet's ``att2types``).

    Raises:
        AnnotationError: naming the file and the offending key or name.
    """
    index = load_annotation(index_file, kind=dict, what='VAW attribute index')
    if sorted(v for v in index.values() if isinstance(v, int)) != list(range(len(index))):
        raise AnnotationError(f'{index_file}: attribute indices must be the integers '
                              f'0..{len(index) - 1}')
    names = sorted(index, key=index.get)
    types = _first_list_containing(names, types_file, 'VAW attribute types')
    distinct = sorted(set(types))
    group_of = dict(zip(distinct, _first_list_containing(distinct, parent_types_file,
                                                         'VAW attribute parent types')))
    groups = [group_of[t] for t in types]
    frequency = seen = None
    if head_tail_file is not None:
        split = _name_lists(head_tail_file, ('head', 'medium', 'tail'), names, 'head_tail')
        frequency = [split[name] for name in names]
    if base_novel_file is not None:
        split = _name_lists(base_novel_file, ('base', 'novel'), names, 'base / novel split')
        seen = [split[name] == 'base' for name in names]
    return attribute_metainfo(names, types, groups=groups, frequency=frequency, seen=seen)


def _first_list_containing(names: Sequence[str], path: str, what: str) -> List[str]:
    """For each name, the first key of ``{key: [names]}`` in ``path`` that lists it."""
    lists = load_annotation(path, kind=dict, what=what)
    owner: Dict[str, str] = {}
    for key, members in lists.items():
        if not isinstance(members, list):
            raise AnnotationError(f'{path}: "{key}" must be a list of names')
        for member in members:
            owner.setdefault(member, key)
    return [owner.get(name, 'other') for name in names]


def _name_lists(path: str, keys: Tuple[str, ...], names: Sequence[str],
                what: str) -> Dict[str, str]:
    """``{name: key}`` from ``{key: [names] or {name: id}}``; every name in exactly one key."""
    data = load_annotation(path, kind=dict, what=f'VAW {what}')
    out: Dict[str, str] = {}
    for key in keys:
        for name in field(data, key, path, (list, dict)):
            if name in out:
                raise AnnotationError(f'{path}: {name!r} is in both "{out[name]}" and "{key}"')
            out[name] = key
    missing = [name for name in names if name not in out]
    if missing:
        raise AnnotationError(f'{path}: {len(missing)} attributes are in none of {keys}, '
                              f'e.g. {missing[:3]}')
    return out


@DATASETS.register_module()
class VAWDataset(BaseDataset):
    """VAW objects with positive / negative / unknown attribute labels, one item per object.

    VAW (https://arxiv.org/abs/2106.09707) annotation files are JSON lists of instances:
    ``image_id`` (Visual Genome id, image ``<image_id>.jpg``), ``instance_id``,
    ``instance_bbox`` [x, y, w, h], ``object_name``, ``positive_attributes`` and
    ``negative_attributes`` (names); other attributes are unknown. The vocabulary comes from
    VAW's files (:func:`read_vaw_vocabulary`).

    Items have the keys of ``SynthWorldAttributeDataset``: ``img_path``, ``img_id``,
    ``instance_id``, ``bbox`` (x1, y1, x2, y2), ``bbox_label`` (index of ``object_name`` in
    ``metainfo['classes']``, -1 if absent: VAW's 2260 object names are no closed label
    space), ``object_name``, ``positive_attributes``, ``negative_attributes`` and
    ``attribute_targets`` (A,) int8 (1 / 0 / -1). Boxes under 1 pixel wide or high are
    skipped with one warning. Metainfo: :func:`read_vaw_vocabulary` keys, and whatever
    ``metainfo`` gives: the category space of federated training (COCO's ``classes``,
    ``class_parents``, ``novel_classes``; ``seen`` and ``base_classes`` follow from them),
    which CLIP-Attr scores on VAW objects too.

    Args:
        ann_file (str): an instance list, e.g. ``'data/val.json'``.
        extra_ann_files (Sequence[str]): more lists read after it (VAW's train set is
            ``train_part1.json`` + ``train_part2.json``). Defaults to ().
        attribute_index (str): ``attribute_index.json``. Defaults to
            ``'data/attribute_index.json'``.
        attribute_types (str): ``attribute_types.json``. Defaults to
            ``'data/attribute_types.json'``.
        attribute_parent_types (str): ``attribute_parent_types.json``. Defaults to
            ``'data/attribute_parent_types.json'``.
        head_tail (str, optional): ``head_tail.json``. Defaults to None.
        base_novel (str, optional): base / novel split file. Defaults to None.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``data_root``,
            ``data_prefix=dict(img_path='images/')``, ``metainfo``, ``pipeline``, ...).
            Paths are relative to ``data_root``.
    """

    def __init__(self, *, ann_file: str, extra_ann_files: Sequence[str] = (),
                 attribute_index: str = 'data/attribute_index.json',
                 attribute_types: str = 'data/attribute_types.json',
                 attribute_parent_types: str = 'data/attribute_parent_types.json',
                 head_tail: Optional[str] = None, base_novel: Optional[str] = None,
                 **kwargs) -> None:
        root = kwargs.get('data_root') or ''
        self.extra_ann_files = [osp.join(root, f) for f in extra_ann_files]
        self.vocabulary_files = dict(
            index_file=osp.join(root, attribute_index), types_file=osp.join(root, attribute_types),
            parent_types_file=osp.join(root, attribute_parent_types),
            head_tail_file=None if head_tail is None else osp.join(root, head_tail),
            base_novel_file=None if base_novel is None else osp.join(root, base_novel))
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the vocabulary into the metainfo, then one dict per instance."""
        self._metainfo.update(read_vaw_vocabulary(**self.vocabulary_files))
        if self.metainfo.get('classes') and self.metainfo.get('novel_classes') is not None:
            self._metainfo.update(category_split(self.metainfo['classes'],
                                                 self.metainfo['novel_classes']))
        names = self.metainfo['attributes']
        index = {name: i for i, name in enumerate(names)}
        classes = {name: i for i, name in enumerate(self.metainfo.get('classes') or ())}
        data_list, skipped = [], 0
        for path in [self.ann_file] + self.extra_ann_files:
            for k, inst in enumerate(load_annotation(path, kind=list, what='VAW annotations')):
                item = self._parse_instance(inst, f'{path}: instance {k}', index, classes)
                if item is None:
                    skipped += 1
                else:
                    data_list.append(item)
        if skipped:
            print_log(f'VAWDataset: skipped {skipped} boxes under 1 pixel', logger='current',
                      level=30)
        return data_list

    def _parse_instance(self, inst: dict, where: str, index: Dict[str, int],
                        classes: Dict[str, int]) -> Optional[dict]:
        image_id = field(inst, 'image_id', where, int)
        where = f'{where} (instance_id {inst.get("instance_id")})'
        x, y, w, h = xywh_box(field(inst, 'instance_bbox', where), where)
        labels = {}
        for key in ('positive_attributes', 'negative_attributes'):
            labels[key] = field(inst, key, where, list)
            unknown = [a for a in labels[key] if a not in index]
            if unknown:
                raise AnnotationError(f'{where}: "{key}" has {unknown[:3]}, not in the '
                                      'attribute index')
        if w < 1 or h < 1:
            return None
        name = field(inst, 'object_name', where, str)
        return dict(
            img_path=osp.join(self.data_prefix.get('img_path', ''), f'{image_id}.jpg'),
            img_id=image_id, instance_id=field(inst, 'instance_id', where, int),
            bbox=[x, y, x + w, y + h], bbox_label=classes.get(name, -1), object_name=name,
            **labels,
            attribute_targets=label_vector(
                len(index), [index[a] for a in labels['positive_attributes']],
                [index[a] for a in labels['negative_attributes']]))
