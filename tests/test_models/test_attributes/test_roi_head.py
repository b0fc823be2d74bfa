"""Tests for ovseg/models/attributes/roi_head.py (OvarNet's transformer RoI head)."""
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from ovseg.testing import tiny_ovarnet_config


def _head(**kwargs):
    cfg = tiny_ovarnet_config(teacher=None)
    head = dict(cfg.roi_head, embed_dims=24, train_cfg=cfg.train_cfg.rcnn, **kwargs)
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(head).eval()


@pytest.mark.parametrize('merge', [True, False])
def test_forward_shapes(merge):
    head = _head(merge_patches=merge)
    feats = tuple(torch.rand(2, 16, 64 // s, 64 // s) for s in (4, 8, 16, 32))
    rois = torch.tensor([[0., 2., 2., 30., 40.], [1., 10., 5., 60., 20.], [1., 0, 0, 8, 8]])
    embeds, deltas = head(feats, rois)
    assert embeds.shape == (3, 24) and deltas.shape == (3, 4)
    assert (head.cls_token.shape[-1] == 32) is merge  # 2C after patch merging


def test_box_loss_trains_the_reg_token_only():
    torch.manual_seed(0)
    head = _head().train()
    feats = tuple(torch.rand(1, 16, 64 // s, 64 // s) for s in (4, 8, 16, 32))
    gts = [InstanceData(bboxes=torch.tensor([[8., 8., 40., 40.]]), labels=torch.tensor([0]))]
    proposals = [InstanceData(bboxes=torch.tensor([[9., 7., 41., 38.], [50., 50., 60., 60.]]))]
    loss = head.loss_bbox_of(feats, proposals, gts)
    assert loss > 0
    loss.backward()
    assert head.reg_head[-1].weight.grad.abs().sum() > 0
    assert head.cls_proj[-1].weight.grad is None
    empty = [InstanceData(bboxes=torch.zeros(0, 4), labels=torch.zeros(0).long())]
    zero = head.loss_bbox_of(feats, proposals, empty)  # no GT: no positive
    assert zero.item() == 0 and zero.requires_grad
