"""Compatibility and safety layer for the pinned OpenMMLab stack on current torch/Python.

Everything ovseg changes in upstream behaviour lives here and is applied once by
:func:`apply_compat_patches` (called on ``import ovseg``):

- :mod:`.checkpoint`: weights-only loading with an allow-list for mmengine
  checkpoints (resume on torch >= 2.6), refusal of files that need code.
- :mod:`.config`: the mmengine 0.10.7 frozen-module config bug on Python 3.11.
- :mod:`.image`: mmcv's ``LoadImageFromFile`` raises :class:`ImageReadError` naming the
  file for a missing, empty or undecodable image.
"""
from .checkpoint import (ALLOW_UNSAFE_ENV, CheckpointError, UnsafeCheckpointError,
                         register_safe_checkpoint_loaders, safe_torch_load)
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


__all__ = ['ALLOW_UNSAFE_ENV', 'CheckpointError', 'ImageReadError', 'UnsafeCheckpointError',
           'apply_compat_patches', 'safe_torch_load']
