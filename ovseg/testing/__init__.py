"""Test helpers: tiny models (CLIP, SAM) and checkpoint files; nothing is downloaded."""
from ._utils import (TINY_RN, TINY_VIT, build_tiny_clip, save_openai_torchscript,
                     save_state_dict)
from .checkpoints import (add_config_text, config_text_writing, parse_cfg_options,
                          save_init_weights_checkpoint)
from .configs import build_config_model, disable_pretrained
from .runs import (TINY_RUN_CONFIG, kill_after_first_checkpoint, kill_after_first_shard,
                   logged_losses,
                   tiny_run_options)
from .sam import TINY_SAM_ARCH, build_tiny_sam
from .scripts import import_tool, load_script, script_env

__all__ = ['TINY_RN', 'TINY_RUN_CONFIG', 'TINY_SAM_ARCH', 'TINY_VIT', 'add_config_text', 'build_config_model',
           'build_tiny_clip', 'build_tiny_sam', 'config_text_writing', 'disable_pretrained',
           'import_tool', 'kill_after_first_checkpoint', 'kill_after_first_shard', 'load_script',
           'logged_losses',
           'parse_cfg_options', 'save_init_weights_checkpoint', 'save_openai_torchscript',
           'save_state_dict', 'script_env', 'tiny_run_options']
