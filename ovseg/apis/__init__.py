"""High-level entry points shared by ``tools/`` and the demos."""
from .config import build_runner, load_config, shutdown_distributed

__all__ = ['build_runner', 'load_config', 'shutdown_distributed']
