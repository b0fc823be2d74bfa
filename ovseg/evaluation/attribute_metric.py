"""Attribute mAP over explicitly labelled objects (VAW protocol), and category scores."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.registry import METRICS

from .average_precision import average_precision


def _numpy(value) -> np.ndarray:
    return value.cpu().numpy() if hasattr(value, 'cpu') else np.asarray(value)


def _mean(values: Sequence[float]) -> float:
    values = [v for v in values if not np.isnan(v)]
    return 100.0 * float(np.mean(values)) if values else float('nan')


@METRICS.register_module()
class AttributeMAPMetric(BaseMetric):
    """Attribute mAP of box-given predictions, overall, seen / unseen and per parent type.

    VAW's protocol, used by OvarNet (https://arxiv.org/abs/2301.09506, through VAW's evaluator): per
    attribute, AP over the objects **explicitly labelled** positive or negative for it
    (unknown labels, -1, are ignored), then the mean over attributes with at least one
    labelled positive (others have no AP and are left out; ``attribute_count`` says how
    many counted). Splits come from the dataset metainfo: ``attribute_seen`` (base / novel)
    and ``attribute_types`` (parent type of each attribute).

    Categories (when predicted): per-category AP over all objects (one vs rest) and top-1
    accuracy, overall and by the metainfo's per-class ``seen`` flags.

    Reads from each prediction (``CLIPAttr.predict``): ``pred_attribute_scores`` (A,),
    ``gt_attributes`` (A,) (1 / 0 / -1), ``pred_category_scores`` (K,) and ``gt_label``;
    or, for the N objects of one image (``OvarNet.predict`` with given boxes), the same
    fields with a leading N: (N, A), (N, A), (N, K) and (N,).

    Returns, in percent, with prefix ``attribute/``: ``mAP``, ``mAP_seen``,
    ``mAP_unseen``, ``mAP_type_<type>``, ``attribute_count``; ``category_mAP``,
    ``category_mAP_seen``, ``category_mAP_unseen``, ``category_top1``,
    ``category_top1_seen``, ``category_top1_unseen``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): key prefix. Defaults to ``'attribute'``.
    """

    default_prefix: Optional[str] = 'attribute'

    def __init__(self, *, collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
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

    def _split(self, key: str, size: int) -> np.ndarray:
        flags = (self.dataset_meta or {}).get(key)
        if flags is None:
            return np.ones(size, dtype=bool)
        if len(flags) != size:
            raise ValueError(f'metainfo "{key}" has {len(flags)} flags for {size} classes')
        return np.asarray(flags, dtype=bool)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = np.concatenate([r['scores'] for r in results])  # (N, A)
        targets = np.concatenate([r['targets'] for r in results])  # (N, A)
        aps = np.array([average_precision(scores[labelled, a], targets[labelled, a] == 1)
                        for a in range(scores.shape[1])
                        for labelled in [targets[:, a] >= 0]])  # (A,)
        seen = self._split('attribute_seen', aps.size)
        metrics = OrderedDict(mAP=_mean(aps), mAP_seen=_mean(aps[seen]),
                              mAP_unseen=_mean(aps[~seen]),
                              attribute_count=int((~np.isnan(aps)).sum()))
        types = (self.dataset_meta or {}).get('attribute_types')
        if types is not None:
            for parent in dict.fromkeys(types):
                metrics[f'mAP_type_{parent}'] = _mean(aps[np.asarray(types) == parent])
        if 'category_scores' in results[0]:
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
