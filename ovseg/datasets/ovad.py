"""OVAD: open-vocabulary attribute detection benchmark (117 attributes on 2000 COCO images)."""
from typing import Sequence

import numpy as np
from mmdet.registry import DATASETS

from .annotations import AnnotationError, attribute_metainfo, field, label_vector
from .coco_categories import CocoCategoryDataset

_FREQUENCY = ('head', 'medium', 'tail')


def parse_ovad_attributes(entries: Sequence[dict], where: str) -> dict:
    """The attribute metainfo of OVAD's ``attributes`` list (in ``id`` order).

    Each entry is ``{"id", "name": "type:syn1/syn2", "type", "parent_type", "is_has_att",
    "freq_set"}``. Returns :func:`~.annotations.attribute_metainfo` keys: ``attributes``
    (``'syn1, syn2'``: synonyms, each prompted, pooled by the model), ``attribute_types``
    (``type``, e.g. ``'hair color'``), ``attribute_groups`` (``parent_type``),
    ``attribute_frequency`` (``freq_set``), plus ``attribute_is_has`` (``'is'`` / ``'has'``,
    for sentence templates) and ``attribute_full_names`` (the original names).

    Raises:
        AnnotationError: naming ``where``, the entry and the key.
    """
    if not isinstance(entries, list) or not entries:
        raise AnnotationError(f'{where}: "attributes" must be a non-empty list')
    by_id = {}
    for k, entry in enumerate(entries):
        at = f'{where}: attributes[{k}]'
        index = field(entry, 'id', at, int)
        if index in by_id:
            raise AnnotationError(f'{at}: id {index} appears twice')
        by_id[index] = entry
    if sorted(by_id) != list(range(len(entries))):
        raise AnnotationError(f'{where}: attribute ids must be 0..{len(entries) - 1}')
    names, types, groups, frequency, is_has, full = [], [], [], [], [], []
    for index in range(len(entries)):
        entry, at = by_id[index], f'{where}: attribute id {index}'
        name = field(entry, 'name', at, str)
        att_type, sep, synonyms = name.partition(':')
        if not sep or not synonyms.strip():
            raise AnnotationError(f'{at}: name {name!r} is not "type:syn1/syn2"')
        if field(entry, 'type', at, str) != att_type:
            raise AnnotationError(f'{at}: "type" {entry["type"]!r} differs from the type '
                                  f'in the name {name!r}')
        freq = field(entry, 'freq_set', at, str)
        if freq not in _FREQUENCY:
            raise AnnotationError(f'{at}: "freq_set" must be one of {_FREQUENCY}, not {freq!r}')
        names.append(', '.join(s.strip() for s in synonyms.split('/')))
        types.append(att_type)
        groups.append(field(entry, 'parent_type', at, str))
        frequency.append(freq)
        is_has.append(field(entry, 'is_has_att', at, str))
        full.append(name)
    meta = attribute_metainfo(names, types, groups=groups, frequency=frequency)
    meta.update(attribute_is_has=tuple(is_has), attribute_full_names=tuple(full))
    return meta


@DATASETS.register_module()
class OVADDataset(CocoCategoryDataset):
    """OVAD's ``ovad2000.json``: COCO val2017 boxes with 117 attribute labels each.

    The file (https://ovad-benchmark.github.io/, OVAD API README) is COCO-format: ``images``,
    ``categories`` (80, with ``supercategory`` and ``ov_set`` base / novel), ``attributes``
    (see :func:`parse_ovad_attributes`) and ``annotations`` with ``att_vec``: one entry per
    attribute, 1 positive, 0 negative, -1 unknown. ``category_id`` refers to the
    categories' ``id`` (COCO ids), as OVAD's detectron2 loader maps it.

    Per object: ``attribute_targets`` (A,) int8 and ``positive_attributes`` /
    ``negative_attributes`` (entries), plus the keys of :class:`CocoCategoryDataset`; with
    ``per_instance=True`` (box-given evaluation, the ``SynthWorldAttributeDataset`` keys)
    one item per object, else one per image (box-free evaluation; every instance carries
    its ``attribute_targets``, read by ``LoadAttributeAnnotations``). OVAD defines no
    base / novel attributes (zero-shot), so ``attribute_seen`` is not set.

    Args:
        per_instance (bool): one item per object. Defaults to False.
        **kwargs: :class:`CocoCategoryDataset` arguments, e.g. ``data_root='data/'``,
            ``ann_file='ovad/ovad2000.json'``, ``data_prefix=dict(img='coco/val2017/')``.
    """

    def _parse_categories(self) -> None:
        super()._parse_categories()
        where = str(self.ann_file)
        self._metainfo.update(
            parse_ovad_attributes(self.coco.dataset.get('attributes'), where))

    def _parse_instance(self, instance: dict, ann: dict) -> None:
        names = self.metainfo['attributes']
        at = f'{self.ann_file}: annotation id {ann["id"]}'
        vector = field(ann, 'att_vec', at, list)
        if len(vector) != len(names):
            raise AnnotationError(f'{at}: "att_vec" has {len(vector)} entries for '
                                  f'{len(names)} attributes')
        vector = np.asarray(vector)
        if not np.isin(vector, (-1, 0, 1)).all():
            raise AnnotationError(f'{at}: "att_vec" entries must be 1, 0 or -1')
        positives, negatives = np.flatnonzero(vector == 1), np.flatnonzero(vector == 0)
        instance['attribute_targets'] = label_vector(len(names), positives, negatives)
        instance['positive_attributes'] = [names[i] for i in positives]
        instance['negative_attributes'] = [names[i] for i in negatives]
