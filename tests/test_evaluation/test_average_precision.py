"""Tests for ovseg/evaluation/average_precision.py: hand-computed cases and scikit-learn."""
import math

import numpy as np
import pytest

from ovseg.evaluation import average_precision


def test_average_precision_by_hand():
    # ranks: P, N, P, N -> precision at the positives 1 and 2/3 -> AP = (1 + 2/3) / 2
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    assert average_precision(scores, np.array([1, 0, 1, 0])) == pytest.approx(5 / 6)
    # a tie is one threshold: precision 1/2 at recall 1 (scikit-learn's definition)
    assert average_precision(np.array([0.5, 0.5]), np.array([1, 0])) == pytest.approx(0.5)
    # N, P, P with a tie between the first two: thresholds {0.9: 1/2 @ 1/2, 0.1: 2/3 @ 1}
    assert average_precision(np.array([0.9, 0.9, 0.1]), np.array([0, 1, 1])) == pytest.approx(
        0.5 * 0.5 + 0.5 * 2 / 3)
    assert math.isnan(average_precision(np.array([0.3]), np.array([0])))


def test_average_precision_matches_scikit_learn():
    metrics = pytest.importorskip('sklearn.metrics')
    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = rng.integers(0, 2, 30)
        labels[0] = 1
        scores = rng.integers(0, 6, 30) / 5.0  # many ties
        assert average_precision(scores, labels) == pytest.approx(
            metrics.average_precision_score(labels, scores))


def test_boolean_relevance_equals_integer_labels():
    scores = np.array([0.9, 0.8, 0.7])
    assert average_precision(scores, np.array([True, False, True])) == average_precision(
        scores, np.array([1, 0, 1])) == pytest.approx((1 + 2 / 3) / 2)
