"""Attribute mAP over explicitly labelled objects (VAW protocol; OVAD box-free), category scores."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.registry import METRICS

from .average_precision import average_precision
from .box_matching import MATCH_ORDERS, match_boxes

FREQUENCY_GROUPS = ('head', 'medium', 'tail')


def _numpy(value) -> np.ndarray:
    """A tensor, mmdet box structure or array as a numpy array."""
    value = getattr(value, 'tensor', value)  # HorizontalBoxes
    return value.detach().cpu().numpy() if hasattr(value, 'detach') else np.asarray(value)


def _check_frequency(frequency: Sequence[str], what: str, size: Optional[int] = None) -> None:
    unknown = set(frequency) - set(FREQUENCY_GROUPS)
    if unknown:
        raise ValueError(f'{what} must hold {FREQUENCY_GROUPS}, not {sorted(unknown)}')
    if size is not None and len(frequency) != size:
        raise ValueError(f'{what} has {len(frequency)} entries for {size} attributes')


def frequency_groups(positive_counts: Sequence[int], *, head_min: int,
                     tail_max: int) -> Tuple[str, ...]:
    """``'head'`` / ``'medium'`` / ``'tail'`` of each attribute from its training positives.

    For data without a published split (VAW and OVAD ship theirs, read by their datasets):
    ``count >= head_min`` is head, ``count <= tail_max`` is tail, the rest medium.

    Examples:
        >>> frequency_groups([500, 40, 3, 0], head_min=100, tail_max=5)
        ('head', 'medium', 'tail', 'tail')
    """
    if tail_max >= head_min:
        raise ValueError(f'tail_max ({tail_max}) must be below head_min ({head_min})')
    return tuple('head' if c >= head_min else 'tail' if c <= tail_max else 'medium'
                 for c in positive_counts)


def _numpy(value) -> np.ndarray:
    return value.cpu().numpy() if hasattr(value, 'cpu') else np.asarray(value)


def _mean(values: Sequence[float]) -> float:
    values = [v for v in values if not np.isnan(v)]
    return 100.0 * float(np.mean(values)) if values else float('nan')


@METRICS.register_module()
class AttributeMAPMetric(BaseMetric):
    """Attribute mAP, box-given or box-free, overall and by seen / unseen, frequency and type.

    VAW's protocol, used by OvarNet (https://arxiv.org/abs/2301.09506, through VAW's evaluator): per
    attribute, AP over the objects **explicitly labelled** positive or negative for it
    (unknown labels, -1, are ignored), then the mean over attributes with at least one
    labelled positive (others have no AP and are left out; ``attribute_count`` says how
    many counted). Splits come from the dataset metainfo: ``attribute_seen`` (base / novel),
    ``attribute_types`` (parent type of each attribute), ``attribute_groups`` (VAW's
    parent-type groups, OVAD's ``parent_type``) and ``attribute_frequency`` (``'head'`` /
    ``'medium'`` / ``'tail'``: VAW's ``head_tail.json``, OVAD's ``freq_set``, or
    :func:`frequency_groups` of training positive counts; the argument overrides it).

    Box-given (default): one prediction per ground-truth object. Reads
    ``pred_attribute_scores`` (A,), ``gt_attributes`` (A,) (1 / 0 / -1) and, when predicted,
    ``pred_category_scores`` (K,) and ``gt_label`` (``CLIPAttr.predict``); or, for the N
    objects of one image (``OvarNet.predict`` with given boxes), the same fields with a
    leading N: (N, A), (N, A), (N, K) and (N,). Categories get per-category AP over all
    objects (one vs rest) and top-1 accuracy, overall and by the per-class ``seen`` flags.

    Box-free (``box_free=True``, OVAD's protocol, https://arxiv.org/abs/2211.12914): per
    image, predicted boxes are matched one to one to the ground truth at IoU >=
    ``iou_threshold`` (:func:`match_boxes`); each ground-truth object is scored with its
    match's attribute scores, or with zeros when unmatched, then the same mAP. Reads
    ``pred_instances`` (``bboxes`` (N, 4), ``attribute_scores`` (N, A), ``scores`` (N,)
    for ``match_order='score'``) and ``gt_instances`` (``bboxes`` (M, 4), ``attributes``
    (M, A), as ``PackDetAttributeInputs`` packs them), boxes in one frame (original image
    pixels). Unlike OVAD's script, an image without any prediction still counts (its
    objects score zeros) instead of being dropped. Category AP50 of detections is mmdet's
    ``OVCocoMetric`` (base / novel from the dataset's ``base_classes`` / ``novel_classes``).

    Returns, in percent, with prefix ``attribute/``: ``mAP``, ``mAP_seen``,
    ``mAP_unseen``, ``mAP_head`` / ``mAP_medium`` / ``mAP_tail``, ``mAP_type_<type>``,
    ``mAP_group_<group>``, ``attribute_count``; box-given with categories:
    ``category_mAP``, ``category_mAP_seen``, ``category_mAP_unseen``, ``category_top1``,
    ``category_top1_seen``, ``category_top1_unseen``; box-free: ``objects_matched``
    (percent of ground-truth objects with a matched box).

    Args:
        box_free (bool): evaluate predictions with their own boxes. Defaults to False.
        iou_threshold (float): least IoU of a box-free match. Defaults to 0.5.
        match_order (str): ``'iou'`` (OVAD's code) or ``'score'``. Defaults to ``'iou'``.
        attribute_frequency (Sequence[str], optional): ``'head'`` / ``'medium'`` /
            ``'tail'`` per attribute, instead of the metainfo's. Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): key prefix. Defaults to ``'attribute'``.
    """

    default_prefix: Optional[str] = 'attribute'

    def __init__(self, *, box_free: bool = False, iou_threshold: float = 0.5,
                 match_order: str = 'iou', attribute_frequency: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if match_order not in MATCH_ORDERS:
            raise ValueError(f'match_order must be one of {MATCH_ORDERS}, not {match_order!r}')
        if attribute_frequency is not None:
            _check_frequency(attribute_frequency, 'attribute_frequency')
        self.box_free = box_free
        self.iou_threshold = iou_threshold
        self.match_order = match_order
        self.attribute_frequency = attribute_frequency

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        if self.box_free:  # one result per image: evaluate(size) keeps `size` results
            self.results.extend(dict(objects=self._box_free_objects(sample))
                                for sample in data_samples)
            return
        for sample in data_samples:
            # one object per sample (A,), or the N objects of an image (N, A)
            scores = np.atleast_2d(_numpy(sample['pred_attribute_scores']))  # (N, A)
            targets = np.atleast_2d(_numpy(sample['gt_attributes']))  # (N, A)
            if len(scores) != len(targets):
                raise ValueError(f'{len(scores)} predicted objects for {len(targets)} '
                                 'labelled ones (pred_attribute_scores vs gt_attributes)')
            # one result per sample: mmengine truncates the results to the dataset size
            result = dict(scores=scores, targets=targets)
            if 'pred_category_scores' in sample:
                result['category_scores'] = np.atleast_2d(
                    _numpy(sample['pred_category_scores']))  # (N, K)
                result['labels'] = np.atleast_1d(_numpy(sample['gt_label']))  # (N,)
            self.results.append(result)

    def _box_free_objects(self, sample: dict) -> List[dict]:
        """One result per ground-truth object of an image: its match's scores, or zeros."""
        pred, gt = sample['pred_instances'], sample['gt_instances']
        targets = _numpy(gt['attributes'])  # (M, A)
        scores = _numpy(pred['attribute_scores'])  # (N, A)
        matches = match_boxes(
            _numpy(pred['bboxes']).reshape(-1, 4), _numpy(gt['bboxes']).reshape(-1, 4),
            iou_threshold=self.iou_threshold, order=self.match_order,
            pred_scores=_numpy(pred['scores']) if 'scores' in pred else None)  # (M,)
        zeros = np.zeros(targets.shape[1], dtype=np.float32)
        return [dict(scores=scores[m] if m >= 0 else zeros, targets=target, matched=m >= 0)
                for m, target in zip(matches, targets)]

    def _split(self, key: str, size: int) -> np.ndarray:
        flags = (self.dataset_meta or {}).get(key)
        if flags is None:
            return np.ones(size, dtype=bool)
        if len(flags) != size:
            raise ValueError(f'metainfo "{key}" has {len(flags)} flags for {size} classes')
        return np.asarray(flags, dtype=bool)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if self.box_free:
            results = [obj for image in results for obj in image['objects']]
            if not results:
                raise ValueError('box-free evaluation found no ground-truth object')
        scores = np.concatenate([np.atleast_2d(r['scores']) for r in results])  # (N, A)
        targets = np.concatenate([np.atleast_2d(r['targets']) for r in results])  # (N, A)
        aps = np.array([average_precision(scores[labelled, a], targets[labelled, a] == 1)
                        for a in range(scores.shape[1])
                        for labelled in [targets[:, a] >= 0]])  # (A,)
        seen = self._split('attribute_seen', aps.size)
        metrics = OrderedDict(mAP=_mean(aps), mAP_seen=_mean(aps[seen]),
                              mAP_unseen=_mean(aps[~seen]),
                              attribute_count=int((~np.isnan(aps)).sum()))
        meta = self.dataset_meta or {}
        frequency = self.attribute_frequency or meta.get('attribute_frequency')
        if frequency is not None:
            _check_frequency(frequency, 'metainfo "attribute_frequency"', aps.size)
            for group in FREQUENCY_GROUPS:
                metrics[f'mAP_{group}'] = _mean(aps[np.asarray(frequency) == group])
        for key, name in (('attribute_types', 'type'), ('attribute_groups', 'group')):
            if meta.get(key) is not None:
                for value in dict.fromkeys(meta[key]):
                    metrics[f'mAP_{name}_{value}'] = _mean(aps[np.asarray(meta[key]) == value])
        if self.box_free:
            metrics['objects_matched'] = 100.0 * float(np.mean([r['matched'] for r in results]))
        elif 'category_scores' in results[0] and any((r['labels'] >= 0).any() for r in results):
            # (VAW objects have no category in the label space: label -1)
            metrics.update(self._category_metrics(results))
        names = (self.dataset_meta or {}).get('attributes')
        if names is not None:
            print_log('attribute AP: ' + ', '.join(
                f'{n} {100 * ap:.1f}' for n, ap in zip(names, aps)), logger='current')
        return metrics

    def _category_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = np.concatenate([r['category_scores'] for r in results])  # (N, K)
        labels = np.concatenate([r['labels'] for r in results])  # (N,)
        scores, labels = scores[labels >= 0], labels[labels >= 0]
        aps = np.array([average_precision(scores[:, k], labels == k)
                        for k in range(scores.shape[1])])  # (K,)
        seen = self._split('seen', aps.size)
        correct = scores.argmax(axis=1) == labels  # (N,)
        crop_seen = seen[labels]

        def top1(mask: np.ndarray) -> float:
            return 100.0 * float(correct[mask].mean()) if mask.any() else float('nan')

        return OrderedDict(category_mAP=_mean(aps), category_mAP_seen=_mean(aps[seen]),
                           category_mAP_unseen=_mean(aps[~seen]),
                           category_top1=top1(np.ones_like(correct)),
                           category_top1_seen=top1(crop_seen),
                           category_top1_unseen=top1(~crop_seen))
