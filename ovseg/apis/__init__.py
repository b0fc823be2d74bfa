"""High-level entry points shared by ``tools/`` and the demos."""
from .config import build_runner, load_config, load_test_metainfo, shutdown_distributed

__all__ = ['build_runner', 'load_config', 'load_test_metainfo', 'shutdown_distributed']
