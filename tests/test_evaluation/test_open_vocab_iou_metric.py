import numpy as np
import pytest
import torch

from ovseg.evaluation import OpenVocabIoUMetric


def _sample(pred, gt):
    return dict(pred_sem_seg=dict(data=torch.tensor(pred)), gt_sem_seg=dict(data=torch.tensor(gt)))


def _run(metric, meta, samples):
    metric.dataset_meta = meta
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_seen_unseen_means_from_metainfo():
    meta = dict(classes=('a', 'b', 'c'), seen=(True, True, False))
    # a: IoU 1/2, b: IoU 1, c (unseen): IoU 1/2 (the 255 pixel is ignored)
    out = _run(OpenVocabIoUMetric(), meta, [_sample([[0, 0, 1, 2, 2]], [[0, 255, 1, 2, 0]])])
    assert out['mIoU_seen'] == pytest.approx(75.0)
    assert out['mIoU_unseen'] == pytest.approx(50.0)
    assert out['hIoU'] == pytest.approx(60.0)
    assert out['mIoU'] == pytest.approx(66.67, abs=0.01)


def test_unseen_names_override_and_absent_classes():
    meta = dict(classes=('a', 'b', 'c'))
    out = _run(OpenVocabIoUMetric(unseen_classes=['b']), meta, [_sample([[0, 0]], [[0, 0]])])
    assert out['mIoU_seen'] == 100.0 and np.isnan(out['mIoU_unseen']) and np.isnan(out['hIoU'])
    with pytest.raises(ValueError, match='not dataset classes'):
        _run(OpenVocabIoUMetric(unseen_classes=['z']), meta, [_sample([[0]], [[0]])])


def test_without_split_is_plain_iou():
    out = _run(OpenVocabIoUMetric(), dict(classes=('a', 'b')), [_sample([[0, 1]], [[0, 1]])])
    assert out['mIoU'] == 100.0 and 'mIoU_seen' not in out
