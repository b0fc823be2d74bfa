import numpy as np
import pytest
import torch

from ovseg.evaluation import OpenVocabIoUMetric, SeenPenaltySweepMetric

META = dict(classes=('a', 'b', 'c'), seen=(True, True, False))
# 4 pixels: logits of a, b (seen) and c (unseen) along K
LOGITS = torch.tensor([[[3.0, 0.0, 1.5, 2.5]],
                       [[0.0, 3.0, 0.0, 0.0]],
                       [[0.0, 0.0, 1.0, 1.0]]])  # (K=3, H=1, W=4)


def _sample(logits, gt):
    return dict(seg_logits=dict(data=logits), gt_sem_seg=dict(data=torch.tensor(gt)[None]),
                pred_sem_seg=dict(data=logits.argmax(0, keepdim=True)))


def _run(metric, samples):
    metric.dataset_meta = META
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_penalty_zero_matches_the_open_vocab_iou_metric():
    gt = [[0, 1, 2, 2]]
    sweep = _run(SeenPenaltySweepMetric(penalties=[0, 1.0, 2.0], select_by='hIoU'),
                 [_sample(LOGITS, gt)])
    plain = _run(OpenVocabIoUMetric(), [_sample(LOGITS, gt)])
    for key in ('mIoU_seen', 'mIoU_unseen', 'hIoU'):
        assert sweep[f'p0/{key}'] == pytest.approx(plain[key], nan_ok=True)
    # penalty 1: pixel 2 turns unseen (c: 1 > 1.5 - 1), pixel 3 stays a; penalty 2: pixel 3 too
    assert sweep['p0/mIoU_unseen'] == 0.0 and sweep['p0/hIoU'] == 0.0
    assert sweep['p1/mIoU_unseen'] == pytest.approx(50.0)
    assert sweep['p2/mIoU_unseen'] == 100.0 and sweep['p2/hIoU'] == 100.0
    assert sweep['best_penalty'] == 2.0
    # the unseen region (pixels 2, 3) against the pixels predicted unseen, names aside
    assert [sweep[f'p{p}/unseen_region_IoU'] for p in (0, 1, 2)] == [0.0, 50.0, 100.0]


def test_ignored_pixels_stand_for_the_unseen_things():
    # train-style labels: the unseen thing is 255 (pixels 2, 3)
    out = _run(SeenPenaltySweepMetric(penalties=[0, 1.0, 2.0]),
               [_sample(LOGITS, [[0, 1, 255, 255]])])
    assert np.isnan(out['p0/mIoU_unseen'])
    assert out['p0/unseen_region_IoU'] == 0.0
    assert out['p1/unseen_region_IoU'] == pytest.approx(50.0)  # pixel 2 of {2, 3}
    assert out['p2/unseen_region_IoU'] == pytest.approx(100.0)
    assert out['p2/mIoU_seen'] == 100.0 and out['best_penalty'] == 2.0


def test_bad_arguments():
    with pytest.raises(ValueError, match='penalties'):
        SeenPenaltySweepMetric(penalties=[-1.0])
    with pytest.raises(ValueError, match='select_by'):
        SeenPenaltySweepMetric(penalties=[0], select_by='mIoU')
    with pytest.raises(ValueError, match='mIoU only'):
        SeenPenaltySweepMetric(penalties=[0], iou_metrics=['mDice'])
    metric = SeenPenaltySweepMetric(penalties=[0])
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    with pytest.raises(ValueError, match="'seen'"):
        metric.process({}, [_sample(LOGITS, [[0, 1, 2, 2]])])
