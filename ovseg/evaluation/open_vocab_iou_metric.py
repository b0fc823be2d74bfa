"""mIoU split into seen and unseen classes for open-vocabulary semantic segmentation."""
from collections import OrderedDict
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.logging import print_log
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class OpenVocabIoUMetric(IoUMetric):
    """:class:`mmseg.evaluation.IoUMetric` plus mIoU over seen and over unseen classes.

    The split comes from the dataset metainfo key ``seen_key`` (one bool per class, as
    SynthWorld gives), or from ``unseen_classes`` names. Besides the usual ``aAcc``,
    ``mIoU``, ``mAcc`` it returns ``mIoU_seen``, ``mIoU_unseen`` and their harmonic mean
    ``hIoU`` (the zero-shot segmentation convention); classes absent from the ground
    truth of the evaluated split (NaN IoU) are skipped as in ``mIoU``.

    Args:
        seen_key (str): metainfo key of the per-class seen flags. Defaults to ``'seen'``.
        unseen_classes (Sequence[str], optional): unseen class names; overrides the
            metainfo flags. Defaults to None.
        **kwargs: :class:`IoUMetric` arguments.

    Examples:
        In a config: ``val_evaluator = dict(type='OpenVocabIoUMetric', iou_metrics=['mIoU'])``.
    """

    def __init__(self, *, seen_key: str = 'seen',
                 unseen_classes: Optional[Sequence[str]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seen_key = seen_key
        self.unseen_classes = None if unseen_classes is None else tuple(unseen_classes)

    def _seen_mask(self) -> Optional[np.ndarray]:
        classes = list(self.dataset_meta['classes'])
        if self.unseen_classes is not None:
            unknown = set(self.unseen_classes) - set(classes)
            if unknown:
                raise ValueError(f'unseen_classes {sorted(unknown)} are not dataset classes')
            return np.array([c not in self.unseen_classes for c in classes])
        seen = self.dataset_meta.get(self.seen_key)
        if seen is None:
            return None
        if len(seen) != len(classes):
            raise ValueError(f'metainfo {self.seen_key!r} has {len(seen)} flags for '
                             f'{len(classes)} classes')
        return np.asarray(seen, dtype=bool)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute :class:`IoUMetric` metrics and the seen/unseen means.

        Args:
            results (list): per-image (intersect, union, pred area, label area) tuples.

        Returns:
            dict[str, float]: IoUMetric keys plus ``mIoU_seen``, ``mIoU_unseen``, ``hIoU``
            (in percent, NaN where a split has no class present) when a split is known.
        """
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        seen = self._seen_mask()
        if seen is None:
            print_log('OpenVocabIoUMetric: no seen/unseen split in the dataset metainfo; '
                      'reporting plain mIoU.', logger='current')
            return metrics
        inter, union = (sum(r[i] for r in results).numpy() for i in (0, 1))
        with np.errstate(invalid='ignore', divide='ignore'):
            iou = inter / union
        out = OrderedDict(metrics)
        for name, mask in (('seen', seen), ('unseen', ~seen)):
            vals = iou[mask]
            vals = vals[~np.isnan(vals)]
            out[f'mIoU_{name}'] = np.round(vals.mean() * 100, 2) if len(vals) else np.nan
        s, u = out['mIoU_seen'], out['mIoU_unseen']
        out['hIoU'] = np.round(2 * s * u / (s + u), 2) if s + u > 0 else np.nan
        print_log(f'mIoU seen {s}, unseen {u}, harmonic {out["hIoU"]}', logger='current')
        return dict(out)
