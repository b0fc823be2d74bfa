"""ovseg.models.text_retrieval.losses.BalancedBCELoss: 3:1 hard-negative mining on a hand case."""
import math

import torch

from ovseg.models.text_retrieval import BalancedBCELoss


def _bce(logit: float, target: float) -> float:
    p = 1 / (1 + math.exp(-logit))
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


def test_one_positive_keeps_the_three_hardest_negatives():
    logits = torch.tensor([[0.5, 3.0, 2.0, 1.0, -1.0, -2.0, 4.0]])
    target = torch.tensor([[1., 0., 0., 0., 0., 0., 0.]])
    mask = torch.tensor([[1., 1., 1., 1., 1., 1., 0.]])  # the hardest cell is ignored
    loss = BalancedBCELoss()(logits, target, mask)
    expected = (_bce(0.5, 1) + _bce(3.0, 0) + _bce(2.0, 0) + _bce(1.0, 0)) / 4
    assert math.isclose(float(loss), expected, rel_tol=1e-6)
    ratio_one = BalancedBCELoss(negative_ratio=1.0)(logits, target, mask)
    assert math.isclose(float(ratio_one), (_bce(0.5, 1) + _bce(3.0, 0)) / 2, rel_tol=1e-6)


def test_no_positive_gives_zero_and_gradients_reach_selected_cells():
    logits = torch.tensor([[1.0, 2.0]], requires_grad=True)
    assert float(BalancedBCELoss()(logits, torch.zeros(1, 2), torch.ones(1, 2)).detach()) == 0.0
    loss = BalancedBCELoss(negative_ratio=1.0)(logits, torch.tensor([[1.0, 0.0]]),
                                               torch.ones(1, 2))
    loss.backward()
    assert (logits.grad != 0).all()
