"""Config parsing fix for mmengine 0.10.7 on Python >= 3.11.

mmengine 0.10.7 decides whether a config is a "lazy-import" (pure Python) config
by checking that every import is a builtin module. On Python 3.11 stdlib modules
such as ``os`` are *frozen*, their spec origin is ``'frozen'``, and mmengine's
``_is_builtin_module`` wrongly returns False, so a config without ``_base_``
that does ``import os`` fails with a bare ``RuntimeError`` (mmengine #1523, fixed
upstream after 0.10.7 but not released). We wrap the check once, here.
"""
from importlib.util import find_spec

import mmengine.config.config as mm_config
import mmengine.config.utils as mm_config_utils


def _is_frozen_stdlib(module_name: str) -> bool:
    if module_name.startswith('.'):
        return False
    spec = find_spec(module_name.split('.')[0])
    return spec is not None and spec.origin == 'frozen'


def patch_frozen_module_detection() -> None:
    """Make mmengine treat frozen stdlib modules as builtins (idempotent)."""
    original = mm_config_utils._is_builtin_module
    if getattr(original, '_ovseg_patched', False):
        return

    def is_builtin_module(module_name: str) -> bool:
        return _is_frozen_stdlib(module_name) or original(module_name)

    is_builtin_module._ovseg_patched = True
    mm_config_utils._is_builtin_module = is_builtin_module
    mm_config._is_builtin_module = is_builtin_module
