"""DenseCLIP configs match the original's settings (generic build checks: tests/test_config_files.py)."""
import glob
import os.path as osp

import pytest
import torch

import ovseg.models  # noqa: F401
from ovseg.testing import build_config_model

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'denseclip', '*.py')))


def test_configs_found():
    assert len(CONFIGS) >= 8


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_builds_offline(path):
    cfg, model = build_config_model(path)
    assert cfg.train_cfg.type in ('ExactResumeIterBasedTrainLoop', 'EpochBasedTrainLoop')
    for name in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'optim_wrapper'):
        assert name in cfg, name
    if hasattr(model, 'text_encoder'):
        assert not any(p.requires_grad for p in model.text_encoder.parameters())
        keys = cfg.optim_wrapper.paramwise_cfg.custom_keys
        assert keys['backbone']['lr_mult'] == 0.1 and keys['text_encoder']['lr_mult'] == 0
        names = [n for n, _ in model.named_parameters()]
        assert 'contexts' in names and 'gamma' in names
        assert model.contexts.shape[1] == 8


@pytest.mark.parametrize('name, in_channels, text_dim', [
    ('denseclip_r50-clip_fpn_8xb4-80k_ade20k-512x512.py', [256, 512, 1024, 2198], 1024),
    ('denseclip_r101-clip_fpn_8xb4-80k_ade20k-512x512.py', [256, 512, 1024, 2198], 512),
    ('denseclip_vit-b16-clip_fpn_8xb4-80k_ade20k-640x640.py', [768, 768, 918, 768], 512),
])
def test_ade20k_configs_match_the_original(name, in_channels, text_dim):
    cfg, model = build_config_model(osp.join(REPO, 'configs', 'denseclip', name))
    assert [c.conv.in_channels for c in model.neck.lateral_convs] == in_channels
    assert model.gamma.shape == (text_dim,) and model.text_length == 13
    assert len(model.context_decoder.decoder) == 3
    assert cfg.train_dataloader.batch_size == 4 and cfg.train_cfg.max_iters == 80000
    assert cfg.model.test_cfg.mode == 'slide'
    assert model.size_divisor is None  # the original never pads at test time
    assert cfg.optim_wrapper.optimizer.lr == 1e-4


@pytest.mark.parametrize('name', [
    'denseclip-retinanet_r50-clip_fpn_8xb2-1x_coco.py',
    'denseclip-retinanet_r101-clip_fpn_8xb2-1x_coco.py',
    'denseclip-mask-rcnn_r50-clip_fpn_8xb2-1x_coco.py',
    'denseclip-mask-rcnn_r101-clip_fpn_8xb2-1x_coco.py',
])
def test_coco_configs_crop_the_attention_pool_positions(name):
    """The original detection attention pool crops its 42x42 positional grid."""
    cfg, model = build_config_model(osp.join(REPO, 'configs', 'denseclip', name))
    assert model.backbone.pos_embed_mode == 'crop'
    assert model.backbone.visual.image_size // 32 == 42


@pytest.mark.parametrize('name, in_channels', [
    ('denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py', [192, 192, 213, 192]),
    ('denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py', [96, 192, 384, 789]),
])
def test_synthworld_config_runs_on_cpu(name, in_channels):
    """Random weights: one loss on a 128x128 batch (score map at C5 for RN), then predict."""
    from mmengine.model import revert_sync_batchnorm

    from denseclip_utils import seg_batch
    from ovseg.datasets.synthworld import seg_metainfo
    _, model = build_config_model(osp.join(REPO, 'configs', 'denseclip', name), device='cpu')
    model = revert_sync_batchnorm(model)
    model.init_weights()
    assert [c.conv.in_channels for c in model.neck.lateral_convs] == in_channels
    assert model.text_length == 16 and model.gamma.shape == (128,)
    model.set_vocabulary(seg_metainfo()['class_synonyms'])
    torch.manual_seed(0)
    losses = model.loss(*seg_batch(size=(128, 128), num_classes=21))
    assert all(torch.isfinite(v) for v in losses.values())
    model.eval()
    with torch.no_grad():
        out = model.predict(torch.randn(1, 3, 64, 64))
    assert out[0].seg_logits.shape == (64, 64)
