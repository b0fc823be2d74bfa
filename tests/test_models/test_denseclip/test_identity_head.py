"""ovseg.models.denseclip.identity_head: the pixel-text score map as logits of an auxiliary loss."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from ovseg.models.denseclip.identity_head import IdentityHead

pytestmark = pytest.mark.filterwarnings('ignore::UserWarning')  # mmseg build_loss notices


def _head() -> IdentityHead:
    # the loss is built from the registry: mmseg's CrossEntropyLoss whatever scope ran before
    with DefaultScope.overwrite_default_scope('mmseg'):
        return IdentityHead()


def test_head_has_no_parameters_and_returns_its_input():
    head = _head()
    logits = torch.randn(2, 7, 4, 4)
    assert list(head.parameters()) == []
    assert head(logits) is logits and head((logits,)) is logits


def test_loss_is_weighted_cross_entropy_of_the_upsampled_logits():
    head = _head()
    logits = torch.randn(1, 3, 4, 4)
    labels = torch.randint(0, 3, (1, 8, 8))
    labels[0, 0] = 255  # ignored
    sample = SegDataSample(gt_sem_seg=PixelData(data=labels))
    losses = head.loss((logits,), [sample], train_cfg=None)
    up = F.interpolate(logits, size=(8, 8), mode='bilinear', align_corners=False)
    # mmseg's default (avg_non_ignore=False) divides by every pixel, ignored ones included
    expected = 0.4 * F.cross_entropy(up, labels, ignore_index=255, reduction='sum') / labels.numel()
    assert torch.allclose(losses['loss_ce'], expected, atol=1e-5)
