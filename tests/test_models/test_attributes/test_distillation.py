"""Tests for ovseg/models/attributes/distillation.py."""
import math

import pytest
import torch

from ovseg.models.attributes import CLIPAttr, DistillKLLoss, build_teacher


def test_kl_has_the_hand_computed_value_over_exactly_the_given_classes():
    loss = DistillKLLoss(loss_weight=2.0)
    teacher = torch.tensor([[0.0, math.log(3.0)], [5.0, 5.0]], requires_grad=True)
    student = torch.zeros(2, 2, requires_grad=True)
    # row 0: p = (1/4, 3/4), q = (1/2, 1/2); row 1: p = q -> KL 0; mean over rows, x2
    expected = 2.0 * (0.25 * math.log(0.5) + 0.75 * math.log(1.5)) / 2
    value = loss(student, teacher)
    assert value.item() == pytest.approx(expected, rel=1e-6)
    # a third class the teacher believes in moves the loss: every given class counts
    wider = loss(torch.zeros(2, 3), torch.tensor([[0.0, math.log(3.0), 2.0], [5.0, 5.0, 0.0]]))
    assert wider.item() != pytest.approx(expected)
    value.backward()
    assert teacher.grad is None and student.grad.abs().sum() > 0  # the teacher is detached


def test_temperature_softens_both_sides_and_scales_by_its_square():
    teacher, student = torch.tensor([[0.0, math.log(9.0)]]), torch.zeros(1, 2)
    p = torch.tensor([0.25, 0.75])  # softmax([0, ln 9] / 2)
    expected = 4 * (p * (p.log() - math.log(0.5))).sum().item()
    assert DistillKLLoss(temperature=2.0)(student, teacher).item() == pytest.approx(expected)
    assert DistillKLLoss()(torch.zeros(0, 2), torch.zeros(0, 2)).item() == 0
    with pytest.raises(ValueError, match='differ in shape'):
        DistillKLLoss()(torch.zeros(1, 2), torch.zeros(1, 3))


def test_teacher_from_the_clip_attr_config_is_frozen():
    teacher = build_teacher('configs/attributes/clip-attr_synthclip-rn-s_synthworld.py',
                            root=__file__.rsplit('/tests/', 1)[0])
    assert isinstance(teacher, CLIPAttr) and not teacher.training
    assert not any(p.requires_grad for p in teacher.parameters())
    with pytest.raises(FileNotFoundError, match='no_such.py'):
        build_teacher('configs/no_such.py')
