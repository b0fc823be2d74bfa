"""Compatibility and safety layer for the pinned OpenMMLab stack on current torch/Python.

Everything ovseg changes in upstream behaviour lives here and is applied once by
:func:`apply_compat_patches` (called on ``import ovseg``):

- :mod:`.checkpoint`: weights-only loading with an allow-list for mmengine
  checkpoints (resume on torch >= 2.6), refusal of files that need code, strict
  loading of weights (:func:`load_model_weights`), the one checkpoint reader
  (:func:`read_checkpoint`, :func:`read_state_dict`; OpenAI TorchScript archives through
  :mod:`.torchscript`); :mod:`.converters`: layouts picked by sentinel keys
  (``list_converters()``); :mod:`.checkpoint_errors`: what is
  wrong with a file; :mod:`.config_text`: values from stored config text, unexecuted.
- :mod:`.config`: the mmengine 0.10.7 frozen-module config bug on Python 3.11.
- :mod:`.image`: mmcv's ``LoadImageFromFile`` raises :class:`ImageReadError` naming the
  file for a missing, empty or undecodable image.
"""
from .checkpoint import (ALLOW_UNSAFE_ENV, CheckpointMismatchError, drop_config_text,
                         load_model_weights, optional_checkpoint_keys, read_checkpoint,
                         read_state_dict, register_safe_checkpoint_loaders, safe_torch_load)
from .checkpoint_errors import (CheckpointError, CheckpointNotFoundError, NotACheckpointError,
                                TruncatedCheckpointError, UnsafeCheckpointError)
from .config_text import read_config_value
from .config import patch_frozen_module_detection
from .image import ImageReadError, patch_image_loading

_applied = False


def apply_compat_patches() -> None:
    """Apply every patch of this package once."""
    global _applied
    if _applied:
        return
    register_safe_checkpoint_loaders()
    patch_frozen_module_detection()
    patch_image_loading()
    _applied = True


__all__ = ['ALLOW_UNSAFE_ENV', 'CheckpointError', 'CheckpointMismatchError',
           'CheckpointNotFoundError', 'ImageReadError', 'NotACheckpointError',
           'TruncatedCheckpointError', 'UnsafeCheckpointError', 'apply_compat_patches', 'drop_config_text',
           'load_model_weights', 'optional_checkpoint_keys', 'read_checkpoint', 'read_config_value',
           'read_state_dict', 'safe_torch_load']
