"""Tests for ovseg/models/attributes/loss.py."""
import math

import pytest
import torch

from ovseg.models.attributes import FederatedAttributeLoss, frequency_weights

LN2 = math.log(2.0)


def _bce(x, y):
    return math.log1p(math.exp(-x)) if y else math.log1p(math.exp(x))


def test_frequency_weights_power_and_mean_one():
    weights = frequency_weights(torch.tensor([1, 16, 81, 0]))
    raw = torch.tensor([1.0, 0.5, 1 / 3])
    torch.testing.assert_close(weights[:3], raw / raw.mean())
    assert weights[3] == 0 and weights[:3].mean().item() == pytest.approx(1.0)


def test_unknown_labels_are_down_weighted_negatives():
    loss = FederatedAttributeLoss(unknown_weight=0.25)
    logits = torch.tensor([[2.0, -1.0, 0.5]])
    targets = torch.tensor([[1, 0, -1]])
    known = (_bce(2.0, 1) + _bce(-1.0, 0)) / 2
    unknown = _bce(0.5, 0)
    assert loss(logits, targets).item() == pytest.approx(known + 0.25 * unknown, rel=1e-6)


def test_federated_masks_on_a_hand_made_batch():
    """Sample 1 does not annotate this label space, class 2 is not trained (weight 0)."""
    loss = FederatedAttributeLoss(unknown_weight=0.5)
    logits = torch.tensor([[0.0, 1.0, 3.0, -2.0],
                           [5.0, 5.0, 5.0, 5.0]], requires_grad=True)
    targets = torch.tensor([[1, -1, 0, 0],
                            [0, 0, 0, 0]])
    weights = torch.tensor([2.0, 1.0, 0.0, 1.0])
    value = loss(logits, targets, sample_mask=torch.tensor([True, False]),
                 class_weights=weights)
    # known: (0, pos, w 2) and (3, neg, w 1); unknown: (1, w 1); class 2 and sample 1 ignored
    expected = (2 * LN2 + _bce(-2.0, 0)) / 2 + 0.5 * _bce(1.0, 0)
    assert value.item() == pytest.approx(expected, rel=1e-6)
    value.backward()
    assert logits.grad[1].abs().sum() == 0 and logits.grad[0, 2] == 0


def test_nothing_to_supervise_gives_zero_with_a_graph():
    logits = torch.zeros(2, 3, requires_grad=True)
    value = FederatedAttributeLoss()(logits, torch.ones(2, 3, dtype=torch.long),
                                     sample_mask=torch.tensor([False, False]))
    assert value.item() == 0.0
    value.backward()


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match='differ in shape'):
        FederatedAttributeLoss()(torch.zeros(2, 3), torch.zeros(2, 4, dtype=torch.long))
