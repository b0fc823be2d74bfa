"""Tests for ovseg/evaluation/attribute_metric.py."""
import math

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
