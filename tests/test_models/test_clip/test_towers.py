"""Tests for ovseg/models/clip/towers.py (the towers of CLIP-Attr, ContrastiveCLIP, OvarNet)."""
import pytest
import torch

from ovseg.compat import CheckpointMismatchError
from ovseg.models.clip import build_clip_towers, load_clip_towers
from ovseg.testing import TINY_RN, TINY_VIT


def test_towers_load_from_one_checkpoint(tiny_rn_checkpoint, tiny_rn_clip):
    visual, text = build_clip_towers(TINY_RN, freeze_text=True)
    assert not any(p.requires_grad for p in text.parameters())
    assert load_clip_towers(TINY_RN, tiny_rn_checkpoint, visual=visual,
                            text=text) == tiny_rn_checkpoint
    torch.testing.assert_close(visual.state_dict(), tiny_rn_clip.visual.state_dict())
    torch.testing.assert_close(text.text_projection, tiny_rn_clip.text_projection)
    none, text_only = build_clip_towers(TINY_RN, image_tower=False)
    assert none is None and all(p.requires_grad for p in text_only.parameters())
    load_clip_towers(TINY_RN, tiny_rn_checkpoint, text=text_only)
    torch.testing.assert_close(text_only.state_dict(), text.state_dict())


def test_a_tower_of_another_architecture_is_refused(tiny_rn_checkpoint):
    visual, _ = build_clip_towers(TINY_VIT)
    with pytest.raises(CheckpointMismatchError):
        load_clip_towers(TINY_RN, tiny_rn_checkpoint, visual=visual)
