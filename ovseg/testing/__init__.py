"""Test helpers: tiny models (CLIP, SAM) and checkpoint files; nothing is downloaded."""
from ._utils import (TINY_RN, TINY_VIT, build_tiny_clip, save_openai_torchscript,
                     save_state_dict)
from .checkpoints import add_config_text, config_text_writing
from .configs import build_config_model, disable_pretrained
from .sam import TINY_SAM_ARCH, build_tiny_sam
from .scripts import load_script

__all__ = ['TINY_RN', 'TINY_SAM_ARCH', 'TINY_VIT', 'add_config_text', 'build_config_model',
           'build_tiny_clip', 'config_text_writing',
           'build_tiny_sam', 'disable_pretrained', 'load_script',
           'save_openai_torchscript', 'save_state_dict']
