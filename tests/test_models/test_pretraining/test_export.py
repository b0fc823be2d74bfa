"""ovseg.models.pretraining.export: a trained ContrastiveCLIP as an open_clip checkpoint."""
import open_clip
import pytest
import torch

from ovseg.models.clip import create_clip
from ovseg.models.pretraining import ContrastiveCLIP, ExportCLIPHook
from ovseg.models.pretraining.export import (contrastive_clip_to_open_clip,
                                             is_contrastive_clip_state_dict, save_clip_checkpoint)
from ovseg.testing import TINY_VIT


def test_exported_weights_load_strictly_into_open_clip_and_ovseg(tmp_path):
    torch.manual_seed(0)
    state = ContrastiveCLIP(model_name=TINY_VIT).state_dict()
    assert is_contrastive_clip_state_dict(set(state))
    weights = contrastive_clip_to_open_clip(state)
    path = save_clip_checkpoint(weights, str(tmp_path / 'new' / 'clip.pt'), model_name=TINY_VIT)
    reference = open_clip.create_model(TINY_VIT)
    reference.load_state_dict(weights, strict=True)
    loaded = create_clip(TINY_VIT, pretrained=path)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in weights.items())


def test_other_state_dicts_are_not_taken_for_contrastive_clip():
    clip_keys = set(open_clip.create_model(TINY_VIT).state_dict())
    assert not is_contrastive_clip_state_dict(clip_keys)
    with pytest.raises(ValueError, match='no ContrastiveCLIP weights'):
        contrastive_clip_to_open_clip({'teacher.visual.proj': torch.zeros(1)})


def test_export_hook_refuses_an_unknown_weights_name_before_training():
    with pytest.raises(KeyError, match="unknown weights name 'synthworld-nope'"):
        ExportCLIPHook(name='synthworld-nope')
    assert ExportCLIPHook(name='synthworld-rn-s').filename == 'synthworld-rn-s.pt'
