"""Every config under configs/ (except _base_) loads and builds its model offline.

Pretrained weights are switched off and models are built on the meta device, so
full-size architectures (RN101, ViT-B/16, ...) cost no memory, as in mmseg's
``tests/test_config.py``. Capability-specific checks live beside each head's tests.
"""
import glob
import os.path as osp

import pytest
import torch

import ovseg.models  # noqa: F401
from ovseg.testing import build_config_model

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p)


def test_every_capability_has_configs():
    folders = {osp.basename(osp.dirname(p)) for p in CONFIGS}
    assert {'synthworld', 'denseclip'} <= folders


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds_offline(path):
    cfg, model = build_config_model(path)
    assert isinstance(model, torch.nn.Module)
    for name in ('default_scope', 'custom_imports'):
        assert name in cfg, f'{osp.relpath(path, REPO)} lacks {name}'
    if 'train_cfg' in cfg:  # inference-only configs (e.g. SAM proposals) have none
        for name in ('train_dataloader', 'optim_wrapper'):
            assert name in cfg, f'{osp.relpath(path, REPO)} trains but lacks {name}'
    assert 'test_dataloader' not in cfg or 'test_evaluator' in cfg


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_checkpoint_of_config_loads_back_strictly(path):
    """What a Runner saves of the model (``get_state_dict``) loads strictly into a fresh build.

    This is how the list of allowed exceptions of strict loading was found (empty: see README
    "Checkpoint safety and compatibility"); a key that a checkpoint cannot carry fails here.
    """
    from mmengine.runner.checkpoint import get_state_dict

    from ovseg.compat import load_model_weights
    _, trained = build_config_model(path)
    _, fresh = build_config_model(path)
    load_model_weights(fresh, {'state_dict': get_state_dict(trained), 'meta': {}}, strict=True)
