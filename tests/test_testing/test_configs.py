"""ovseg.testing.configs: a config's model built offline, pretrained weights switched off."""
import glob
import os.path as osp

import torch

from ovseg.testing import build_config_model
from ovseg.testing.configs import disable_pretrained

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_every_string_weight_source_is_switched_off_at_any_depth():
    cfg = dict(pretrained='a.pt', backbone=dict(init_cfg=dict(checkpoint='b.pth'), depth=3),
               heads=[dict(pretrained='c.pt'), dict(pretrained=True)])
    disable_pretrained(cfg)
    assert cfg == dict(pretrained=None, backbone=dict(init_cfg=dict(checkpoint=None), depth=3),
                       heads=[dict(pretrained=None), dict(pretrained=True)])


def test_a_config_model_builds_on_the_meta_device():
    path = sorted(glob.glob(osp.join(ROOT, 'configs', 'denseclip', '*.py')))[0]
    cfg, model = build_config_model(path)
    assert cfg.filename == path
    assert all(p.device == torch.device('meta') for p in model.parameters())
