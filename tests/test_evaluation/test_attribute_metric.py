"""Tests for ovseg/evaluation/attribute_metric.py."""
import math

import numpy as np
import pytest
import torch

from ovseg.evaluation import AttributeMAPMetric


def _sample(scores, targets, category_scores, label):
    return dict(pred_attribute_scores=torch.tensor(scores),
                gt_attributes=torch.tensor(targets),
                pred_category_scores=torch.tensor(category_scores), gt_label=torch.tensor(label))


def test_metric_uses_labelled_objects_only_and_splits():
    metric = AttributeMAPMetric()
    metric.dataset_meta = dict(attributes=('red', 'pink', 'dotted'),
                               attribute_types=('color', 'color', 'pattern'),
                               attribute_seen=(True, False, True),
                               classes=('circle', 'heart'), seen=(True, False))
    metric.process(None, [
        # red: P .9, N .8, unknown .95 (ignored), P .7 -> AP 5/6
        # pink: P .2, N .6 -> AP 1/2; dotted: negatives only -> no AP
        _sample([0.9, 0.2, 0.1], [1, 1, 0], [0.8, 0.1], 0),
        _sample([0.8, 0.6, 0.3], [0, 0, -1], [0.3, 0.6], 1),
        _sample([0.95, 0.5, 0.2], [-1, -1, 0], [0.7, 0.2], 1),
        _sample([0.7, 0.4, 0.2], [1, -1, 0], [0.6, 0.5], 0),
    ])
    result = metric.evaluate(4)
    assert result['attribute/mAP'] == pytest.approx(100 * (5 / 6 + 1 / 2) / 2)
    assert result['attribute/mAP_seen'] == pytest.approx(100 * 5 / 6)
    assert result['attribute/mAP_unseen'] == pytest.approx(50.0)
    assert result['attribute/mAP_type_color'] == result['attribute/mAP']
    assert math.isnan(result['attribute/mAP_type_pattern'])
    assert result['attribute/attribute_count'] == 2
    # categories: circle scores .8 .3 .7 .6 for labels 0 1 1 0 -> AP (1 + 2/3) / 2;
    # heart .1 .6 .2 .5 -> AP (1 + 2/3) / 2; top-1: objects 0, 1, 3 right, 2 wrong
    assert result['attribute/category_mAP'] == pytest.approx(100 * 5 / 6)
    assert result['attribute/category_top1'] == pytest.approx(75.0)
    assert result['attribute/category_top1_seen'] == pytest.approx(100.0)
    assert result['attribute/category_top1_unseen'] == pytest.approx(50.0)


def test_head_medium_tail_and_groups_from_metainfo_or_argument():
    # per-attribute APs: a0 1.0, a1 0.5, a2 1/2 + ... (see rows); a3 has no positive
    rows = [([0.9, 0.2, 0.8, 0.1], [1, 1, 0, 0]),
            ([0.1, 0.6, 0.9, 0.3], [0, 0, 1, 0]),
            ([0.5, 0.4, 0.7, 0.2], [-1, 1, 0, -1])]
    # a0: P .9, N .1, unknown -> AP 1;  a1: P .2, N .6, P .4 -> ranks N P P -> (1/2 + 2/3) / 2
    # a2: N .8, P .9, N .7 -> AP 1;  a3: negatives only -> no AP
    meta = dict(attributes=('a0', 'a1', 'a2', 'a3'), attribute_types=('t', 't', 'u', 'u'),
                attribute_groups=('g', 'h', 'h', 'h'),
                attribute_frequency=('head', 'tail', 'tail', 'medium'))
    metric = AttributeMAPMetric()
    metric.dataset_meta = meta
    metric.process(None, [dict(pred_attribute_scores=torch.tensor(s),
                               gt_attributes=torch.tensor(t)) for s, t in rows])
    result = metric.evaluate(3)
    ap1 = (1 / 2 + 2 / 3) / 2
    assert result['attribute/mAP_head'] == pytest.approx(100.0)
    assert result['attribute/mAP_tail'] == pytest.approx(100 * (ap1 + 1) / 2)
    assert math.isnan(result['attribute/mAP_medium'])
    assert result['attribute/mAP_group_g'] == pytest.approx(100.0)
    assert result['attribute/mAP_group_h'] == pytest.approx(100 * (ap1 + 1) / 2)
    assert result['attribute/mAP_type_t'] == pytest.approx(100 * (1 + ap1) / 2)
    # the argument overrides the metainfo's split
    metric = AttributeMAPMetric(attribute_frequency=('tail', 'head', 'tail', 'tail'))
    metric.dataset_meta = meta
    metric.process(None, [dict(pred_attribute_scores=torch.tensor(s),
                               gt_attributes=torch.tensor(t)) for s, t in rows])
    assert metric.evaluate(3)['attribute/mAP_head'] == pytest.approx(100 * ap1)
    with pytest.raises(ValueError, match=r"attribute_frequency must hold .* not \['rare'\]"):
        AttributeMAPMetric(attribute_frequency=('rare',))


def test_frequency_groups_from_training_positives():
    from ovseg.evaluation import frequency_groups
    assert frequency_groups([500, 100, 99, 6, 5, 0], head_min=100, tail_max=5) == (
        'head', 'head', 'medium', 'medium', 'tail', 'tail')
    with pytest.raises(ValueError, match='tail_max'):
        frequency_groups([1], head_min=5, tail_max=5)


def _image(pred_boxes, pred_scores, box_scores, gt_boxes, gt_targets):
    return dict(
        pred_instances=dict(bboxes=torch.tensor(pred_boxes, dtype=torch.float),
                            attribute_scores=torch.tensor(pred_scores),
                            scores=torch.tensor(box_scores)),
        gt_instances=dict(bboxes=torch.tensor(gt_boxes, dtype=torch.float),
                          attributes=torch.tensor(gt_targets)))


# Two images. Image 1: p1 covers g1 (IoU 100/120), p0 covers g2 (IoU 0.9), p2 is a miss;
# image 2: p0 covers g3 (IoU 1), p1 covers g4 at IoU 0.4 < 0.5 -> g4 is unmatched, scored 0.
BOX_FREE = [
    _image([[20, 0, 30, 9], [0, 0, 10, 12], [50, 50, 60, 60]],
           [[0.2, 0.9], [0.8, 0.95], [0.99, 0.99]], [0.5, 0.9, 0.99],
           [[0, 0, 10, 10], [20, 0, 30, 10]], [[1, 0], [0, 1]]),
    _image([[0, 0, 10, 10], [40, 40, 44, 50]], [[0.1, 0.7], [0.9, 0.9]], [0.8, 0.7],
           [[0, 0, 10, 10], [40, 40, 50, 50]], [[1, -1], [0, 1]]),
]


def test_box_free_matching_by_hand():
    metric = AttributeMAPMetric(box_free=True)
    metric.dataset_meta = dict(attributes=('a', 'b'), attribute_types=('t', 't'))
    metric.process(None, BOX_FREE)
    result = metric.evaluate(2)
    # objects g1..g4 score a: .8 P, .2 N, .1 P, 0 N -> AP (1 + 2/3) / 2 = 5/6
    #                      b: .95 N, .9 P, unknown, 0 P -> AP (1/2 + 2/3) / 2 = 7/12
    assert result['attribute/mAP'] == pytest.approx(100 * (5 / 6 + 7 / 12) / 2)
    assert result['attribute/objects_matched'] == pytest.approx(75.0)
    assert 'attribute/category_mAP' not in result
    # with ground-truth boxes given, the model scores those boxes: another number
    assert result['attribute/mAP'] != pytest.approx(100.0)


def test_box_free_matches_scikit_learn_on_random_images():
    metrics = pytest.importorskip('sklearn.metrics')
    from ovseg.evaluation import match_boxes
    rng = np.random.default_rng(0)
    images, rows = [], []
    for _ in range(6):
        gt = rng.uniform(0, 50, (5, 2)).repeat(2, 1) + [0, 0, 20, 20]
        pred = gt[rng.permutation(5)[:4]] + rng.normal(0, 4, (4, 4))
        scores, targets = rng.random((4, 3)), rng.integers(-1, 2, (5, 3))
        images.append(_image(pred.tolist(), scores.tolist(), [0.5] * 4, gt.tolist(),
                             targets.tolist()))
        for m, target in zip(match_boxes(pred, gt), targets):
            rows.append((scores[m] if m >= 0 else np.zeros(3), target))
    metric = AttributeMAPMetric(box_free=True)
    metric.process(None, images)
    result = metric.evaluate(6)
    scores = np.stack([r[0] for r in rows])
    targets = np.stack([r[1] for r in rows])
    aps = [metrics.average_precision_score(targets[targets[:, a] >= 0, a],
                                           scores[targets[:, a] >= 0, a]) for a in range(3)]
    assert result['attribute/mAP'] == pytest.approx(100 * np.mean(aps))
    assert 0 < result['attribute/objects_matched'] < 100


def test_objects_without_category_labels_give_attribute_metrics_only():
    # VAW objects are scored on COCO's categories but have none of them (label -1)
    metric = AttributeMAPMetric()
    metric.process(None, [_sample([0.9], [1], [0.8, 0.1], -1), _sample([0.2], [0], [0.3, 0.6], -1)])
    result = metric.evaluate(2)
    assert result['attribute/mAP'] == pytest.approx(100.0)
    assert 'attribute/category_mAP' not in result


def test_objects_of_one_image_count_as_single_objects():
    """OvarNet packs the N objects of an image in one sample: (N, A) scores and targets."""
    objects = [([0.9, 0.2], [1, 0], [0.8, 0.1], 0), ([0.8, 0.6], [0, 1], [0.3, 0.6], 1),
               ([0.7, 0.4], [1, -1], [0.6, 0.5], 0)]
    single, grouped = AttributeMAPMetric(), AttributeMAPMetric()
    single.process(None, [_sample(*obj) for obj in objects])
    grouped.process(None, [_sample(*[[obj[i] for obj in objects[:2]] for i in range(4)]),
                           _sample(*[[obj[i] for obj in objects[2:]] for i in range(4)])])
    expected, result = single.evaluate(3), grouped.evaluate(2)
    assert list(result) == list(expected)
    for key, value in expected.items():  # NaN: no unseen classes in this metainfo
        assert result[key] == value or (math.isnan(value) and math.isnan(result[key])), key
    with pytest.raises(ValueError, match='2 predicted objects for 1 labelled'):
        grouped.process(None, [_sample([[0.1, 0.2], [0.3, 0.4]], [[1, 0]], [[0.1, 0.2]], [0])])
