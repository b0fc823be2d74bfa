"""High-level entry points shared by ``tools/`` and the demos."""
from .config import load_config

__all__ = ['load_config']
