"""ovseg: dense open-vocabulary perception toolkit built on OpenMMLab."""
from .compat import apply_compat_patches

__version__ = '0.1.0'

apply_compat_patches()
