"""Sweep of the calibrated-stacking penalty over one pass of a segmentor's logits."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS

from ..models.clip.calibration import calibrated_stacking

_SELECT_BY = ('hIoU', 'hIoU_region')


def _harmonic(a: float, b: float) -> float:
    return float(2 * a * b / (a + b)) if a + b > 0 else float('nan')


def _mean_percent(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(np.round(values.mean() * 100, 2)) if len(values) else float('nan')


@METRICS.register_module()
class SeenPenaltySweepMetric(BaseMetric):
    """Seen / unseen mIoU for several seen-class penalties from one pass of the logits.

    Calibrated stacking (Chao et al., ECCV 2016, https://arxiv.org/abs/1605.04253,
    :func:`~ovseg.models.clip.calibration.calibrated_stacking`) needs its penalty tuned on
    held-out data, never on the test split. This metric scores every penalty of
    ``penalties`` on the ``seg_logits`` (K, H, W) each sample carries (the model's own
    penalty must be 0), so one ``tools/test.py`` run over a held-out split gives the
    whole curve and the chosen penalty.

    On a split with unseen labels (SynthWorld val) it reports, per penalty,
    ``mIoU_seen``, ``mIoU_unseen`` and their harmonic mean ``hIoU``, as
    :class:`OpenVocabIoUMetric`. On a train split, where the unseen things carry the
    ignore label (SynthWorld train maps mark exactly them 255), unseen mIoU is undefined;
    there the metric reports ``unseen_region_IoU``: the IoU of the unseen region (the
    ignored pixels plus any pixel labelled with an unseen class) with the pixels
    predicted as any unseen class (the unseen classes merged into one: found, whatever
    the name), and ``hIoU_region``, its harmonic mean with ``mIoU_seen`` (the seen
    classes are labelled there). On val the same region number separates finding the
    unseen things from naming them. ``best_penalty`` maximises ``select_by``.

    Args:
        penalties (Sequence[float]): seen-class penalties, in logit units, >= 0.
        select_by (str): ``'hIoU_region'`` (train splits) or ``'hIoU'`` (splits with
            unseen labels). Defaults to ``'hIoU_region'``.
        seen_key (str): metainfo key of the per-class seen flags. Defaults to ``'seen'``.
        ignore_index (int): label of unlabelled pixels. Defaults to 255.
        iou_metrics (Sequence[str]): only ``['mIoU']``, accepted so that the metric can
            replace an ``OpenVocabIoUMetric`` config by its ``type``. Defaults to
            ``('mIoU',)``.
        collect_device (str): as :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): as :class:`mmengine.evaluator.BaseMetric`.

    Examples:
        ``tools/test.py CONFIG CKPT --cfg-options test_evaluator.type=SeenPenaltySweepMetric
        "test_evaluator.penalties=[0,1,2]"`` with ``test_dataloader`` on a held-out split.
    """

    def __init__(self, *, penalties: Sequence[float], select_by: str = 'hIoU_region',
                 seen_key: str = 'seen', ignore_index: int = 255,
                 iou_metrics: Sequence[str] = ('mIoU',), collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if list(iou_metrics) != ['mIoU']:
            raise ValueError(f"SeenPenaltySweepMetric computes mIoU only, not {iou_metrics}")
        self.penalties = [float(p) for p in penalties]
        if not self.penalties or min(self.penalties) < 0:
            raise ValueError(f'penalties must be a non-empty list of values >= 0, got '
                             f'{list(penalties)}')
        if select_by not in _SELECT_BY:
            raise ValueError(f'select_by must be one of {_SELECT_BY}, not {select_by!r}')
        self.select_by = select_by
        self.seen_key = seen_key
        self.ignore_index = ignore_index

    def _seen(self) -> torch.Tensor:
        seen = (self.dataset_meta or {}).get(self.seen_key)
        if seen is None:
            raise ValueError(f'SeenPenaltySweepMetric needs the dataset metainfo key '
                             f'{self.seen_key!r} (one seen flag per class)')
        return torch.as_tensor(list(seen), dtype=torch.bool)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Per penalty: (intersect, union) of the K classes and of the unseen region.

        Args:
            data_batch (dict): unused.
            data_samples (Sequence[dict]): with ``seg_logits.data`` (K, H, W) logits and
                ``gt_sem_seg.data`` (1, H, W) labels.
        """
        seen = self._seen()
        num_classes = len(seen)
        for sample in data_samples:
            logits = sample['seg_logits']['data'].float().cpu()  # (K, H, W)
            label = sample['gt_sem_seg']['data'].squeeze(0).cpu()  # (H, W)
            if logits.shape[0] != num_classes:
                raise ValueError(f'seg_logits have {logits.shape[0]} classes, the dataset '
                                 f'{num_classes}')
            unseen_ids = torch.nonzero(~seen).flatten()
            region = (label == self.ignore_index) | torch.isin(label, unseen_ids)  # (H, W)
            per_penalty = []
            for penalty in self.penalties:
                pred = calibrated_stacking(logits, seen, penalty, dim=0).argmax(0)  # (H, W)
                inter, union, _, _ = IoUMetric.intersect_and_union(
                    pred, label, num_classes, self.ignore_index)
                as_unseen = ~seen[pred]  # (H, W)
                per_penalty.append((inter, union, int((region & as_unseen).sum()),
                                    int((region | as_unseen).sum())))
            self.results.append(per_penalty)

    def compute_metrics(self, results: List[list]) -> Dict[str, float]:
        """Per penalty ``p``: ``p{p}/mIoU_seen``, ``p{p}/mIoU_unseen``, ``p{p}/hIoU``,
        ``p{p}/unseen_region_IoU``, ``p{p}/hIoU_region`` (percent), and
        ``best_penalty`` by ``select_by``."""
        seen = self._seen().numpy()
        out: Dict[str, float] = OrderedDict()
        best, best_score = self.penalties[0], -1.0
        lines = ['penalty | mIoU seen | mIoU unseen | hIoU | unseen region IoU | '
                 'hIoU (region)']
        for i, penalty in enumerate(self.penalties):
            inter = sum(r[i][0] for r in results).numpy()
            union = sum(r[i][1] for r in results).numpy()
            with np.errstate(invalid='ignore', divide='ignore'):
                iou = inter / union
            s, u = _mean_percent(iou[seen]), _mean_percent(iou[~seen])
            region_union = sum(r[i][3] for r in results)
            ui = (round(100 * sum(r[i][2] for r in results) / region_union, 2)
                  if region_union else float('nan'))
            row = dict(mIoU_seen=s, mIoU_unseen=u, hIoU=round(_harmonic(s, u), 2),
                       unseen_region_IoU=ui, hIoU_region=round(_harmonic(s, ui), 2))
            out.update({f'p{penalty:g}/{k}': v for k, v in row.items()})
            lines.append(' | '.join(f'{v:g}' for v in (penalty, *row.values())))
            score = row[self.select_by]
            if not np.isnan(score) and score > best_score:
                best, best_score = penalty, score
        out['best_penalty'] = best
        print_log('seen-class penalty sweep (select by '
                  f'{self.select_by}: best {best:g})\n' + '\n'.join(lines), logger='current')
        return dict(out)
