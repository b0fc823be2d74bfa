"""Tests for ovseg/evaluation/box_matching.py: OVAD's greedy one-to-one matching."""
import numpy as np
import pytest

from ovseg.evaluation import match_boxes


def test_match_boxes_orders_and_threshold():
    gt = np.array([[0, 0, 10, 10]])
    pred = np.array([[0, 0, 10, 10], [0, 0, 10, 8]])  # IoU 1.0 (score .3), 0.8 (score .9)
    assert match_boxes(pred, gt).tolist() == [0]  # OVAD: best-covered first
    assert match_boxes(pred, gt, order='score', pred_scores=np.array([0.3, 0.9])).tolist() == [1]
    # IoU exactly 0.5 matches; below it does not; each prediction serves one object
    assert match_boxes(np.array([[0, 0, 10, 5]]), gt).tolist() == [0]
    assert match_boxes(np.array([[0, 0, 10, 4.9]]), gt).tolist() == [-1]
    two = np.array([[0, 0, 10, 10], [0, 0, 10, 9]])
    assert match_boxes(pred[:1], two).tolist() == [0, -1]
    assert match_boxes(np.zeros((0, 4)), gt).tolist() == [-1]
    with pytest.raises(ValueError, match='needs pred_scores'):
        match_boxes(pred, gt, order='score')

