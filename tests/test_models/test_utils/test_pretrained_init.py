"""ovseg/models/utils/pretrained_init.py: ``StrictPretrained`` loads part of a run's weights by
weights name, after the submodules' own init, and names the keys that do not fit."""
import os.path as osp

import pytest
import torch
from mmengine.model import BaseModule
from torch import nn

from ovseg.compat import CheckpointMismatchError
from ovseg.models.utils import StrictPretrainedMixin
from ovseg.utils.weights import MissingWeightsError, register_weights

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
NAME = 'synthworld-pmp-r18'  # any registered weights name


class _Child(BaseModule):
    def __init__(self) -> None:
        # its own init (zeros) runs in init_weights, as a backbone's does
        super().__init__(init_cfg=dict(type='Constant', val=0.0, layer='Linear'))
        self.fc = nn.Linear(3, 2)


class _Generator(StrictPretrainedMixin, BaseModule):
    def __init__(self, init_cfg: dict) -> None:
        super().__init__(init_cfg=init_cfg)
        self.child = _Child()


def _stage1_file(tmp_path, **extra: torch.Tensor) -> str:
    """A run's checkpoint: the generator under ``gen.``, another part under ``other.``."""
    weights = {'gen.child.fc.weight': torch.ones(2, 3), 'gen.child.fc.bias': torch.full((2,), 2.),
               'other.w': torch.zeros(1), **extra}
    path = str(tmp_path / 'iter_2.pth')
    torch.save(dict(state_dict=weights, meta={}), path)
    return path


def test_named_weights_load_after_the_submodules_own_init(tmp_path):
    register_weights(NAME, _stage1_file(tmp_path))
    gen = _Generator(dict(type='StrictPretrained', checkpoint=NAME, prefix='gen.'))
    gen.init_weights()
    assert torch.equal(gen.child.fc.weight, torch.ones(2, 3))  # not the child's zeros
    assert torch.equal(gen.child.fc.bias, torch.full((2,), 2.))


def test_keys_that_do_not_fit_are_an_error_naming_them(tmp_path):
    path = _stage1_file(tmp_path, **{'gen.child.extra': torch.zeros(1)})
    gen = _Generator(dict(type='StrictPretrained', checkpoint=path, prefix='gen.'))
    with pytest.raises(CheckpointMismatchError, match=r'1 unexpected key\(s\): child.extra'):
        gen.init_weights()


def test_a_missing_name_says_how_to_train_it():
    gen = _Generator(dict(type='StrictPretrained', checkpoint=NAME, prefix='gen.'))
    with pytest.raises(MissingWeightsError, match=r'run `python tools/train.py configs/proposals/'
                                                  r'pmp_r18-w16_1xb8-1k_synthworld-128x128.py`'):
        gen.init_weights()


def test_two_stage_config_refuses_the_stage1_of_another_config(tmp_path, tiny_vit_checkpoint):
    """The mask2former-ov two-stage config given the PMP stage 1 (text cross-attention the
    plain head does not have): an error naming those keys, not a stage 1 loaded in part."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from ovseg.testing import save_init_weights_checkpoint
    register_weights('synthworld-vit-s-regions', tiny_vit_checkpoint)
    tiny = ['model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
            'model.proposal_generator.head.embed_dim=32']
    pmp = str(tmp_path / 'pmp.pth')
    save_init_weights_checkpoint(
        osp.join(ROOT, 'configs/proposals/pmp_r18-w16_1xb8-1k_synthworld-128x128.py'), pmp,
        cfg_options=tiny)
    register_weights('synthworld-mask2former-ov-r18', pmp)  # the wrong stage 1 under its name
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/mask_adapted/ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py'))
    cfg.merge_from_dict({'model.mask_classifier.clip.model_name': 'ovseg-tiny-vit',
                         'model.mask_classifier.clip.prompt_depth': 2,
                         'model.text_classifier.text_encoder.model_name': 'ovseg-tiny-vit',
                         'model.proposal_generator.head.embed_dim': 32})
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg.model)
    with pytest.raises(CheckpointMismatchError,
                       match=r"proposal_generator.\* weights of 'synthworld-mask2former-ov-r18'.*"
                             r'unexpected key\(s\): head\.'):
        model.init_weights()
