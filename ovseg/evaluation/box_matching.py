"""Greedy one-to-one matching of predicted to ground-truth boxes (OVAD's box-free protocol)."""
from typing import Optional

import numpy as np
import torch
from mmdet.structures.bbox import bbox_overlaps

MATCH_ORDERS = ('iou', 'score')


def match_boxes(pred_boxes: np.ndarray, gt_boxes: np.ndarray, *, iou_threshold: float = 0.5,
                order: str = 'iou', pred_scores: Optional[np.ndarray] = None) -> np.ndarray:
    """For each ground-truth box, the index of its predicted box, or -1; each used once.

    Pairs need IoU >= ``iou_threshold``. Two greedy orders:

    - ``'iou'``: OVAD's evaluation (``ovadb/evaluation/attribute_evaluation.py``,
      https://arxiv.org/abs/2211.12914): repeatedly take the pair of highest IoU among the
      unused boxes, i.e. the best-covered ground truth first;
    - ``'score'``: COCO-style: predictions in decreasing ``pred_scores``, each taking the
      unused ground truth it overlaps most.

    Ties go to the lower index. Written here because mmdet's assigners match many
    predictions to one ground truth, not one to one.

    Args:
        pred_boxes (np.ndarray): (N, 4) x1, y1, x2, y2.
        gt_boxes (np.ndarray): (M, 4) x1, y1, x2, y2.
        iou_threshold (float): least IoU of a match. Defaults to 0.5.
        order (str): ``'iou'`` or ``'score'``. Defaults to ``'iou'``.
        pred_scores (np.ndarray, optional): (N,) box scores, for ``'score'``.

    Returns:
        np.ndarray: (M,) int64, a prediction index or -1 (unmatched).

    Examples:
        >>> gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]])
        >>> pred = np.array([[20, 0, 30, 9], [0, 0, 10, 12], [50, 50, 60, 60]])
        >>> match_boxes(pred, gt).tolist()
        [1, 0]
    """
    if order not in MATCH_ORDERS:
        raise ValueError(f'order must be one of {MATCH_ORDERS}, not {order!r}')
    matches = np.full(len(gt_boxes), -1, dtype=np.int64)
    if len(gt_boxes) == 0 or len(pred_boxes) == 0:
        return matches
    iou = bbox_overlaps(torch.as_tensor(np.asarray(pred_boxes), dtype=torch.float64),
                        torch.as_tensor(np.asarray(gt_boxes), dtype=torch.float64)).numpy()
    iou[iou < iou_threshold] = -1  # (N, M)
    if order == 'iou':
        for _ in range(min(iou.shape)):
            p, g = np.unravel_index(np.argmax(iou), iou.shape)
            if iou[p, g] < 0:
                break
            matches[g] = p
            iou[p, :] = -1
            iou[:, g] = -1
        return matches
    if pred_scores is None:
        raise ValueError("order='score' needs pred_scores")
    for p in np.argsort(-np.asarray(pred_scores), kind='stable'):
        g = int(np.argmax(iou[p]))
        if iou[p, g] >= 0:
            matches[g] = p
            iou[:, g] = -1
    return matches
