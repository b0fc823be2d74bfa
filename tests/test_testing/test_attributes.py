"""Tests for ovseg/testing/attributes.py (tiny OvarNet configs)."""
from ovseg.testing import TINY_RN, TINY_TEACHER, tiny_ovarnet_config


def test_tiny_config_keeps_the_real_config_but_the_sizes():
    cfg = tiny_ovarnet_config()
    assert cfg.type == 'OvarNet' and cfg.model_name == TINY_RN and cfg.pretrained is None
    assert cfg.neck.in_channels == [32, 64, 128, 256]
    assert cfg.roi_head.bbox_roi_extractor.roi_layer.output_size == 14  # as the real config
    assert cfg.distill.teacher_config == TINY_TEACHER
    assert tiny_ovarnet_config(teacher=None).distill is None
    assert tiny_ovarnet_config('t.py', 'w.pth').distill.teacher_checkpoint == 'w.pth'
