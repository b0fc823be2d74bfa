"""High-level entry points shared by ``tools/`` and the demos."""
from .config import build_runner, load_config, load_test_metainfo, shutdown_distributed
from .model import init_segmentor, init_weights_quietly

__all__ = ['build_runner', 'init_segmentor', 'init_weights_quietly', 'load_config',
           'load_test_metainfo', 'shutdown_distributed']
