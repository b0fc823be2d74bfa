"""High-level entry points shared by ``tools/``, the demos and users: the inferencer and the
model zoo."""
from .attr_inferencer import OVAttrInferencer
from .config import build_runner, load_config, load_test_metainfo, shutdown_distributed
from .det_inferencer import OVDetInferencer
from .inferencer import OVSegInferencer
from .model import init_detector, init_segmentor, init_weights_quietly, load_weights_or_init
from .zoo import ModelInfo, UnknownModelError, add_model, get_model, list_models

__all__ = ['ModelInfo', 'OVAttrInferencer', 'OVDetInferencer', 'OVSegInferencer',
           'UnknownModelError', 'add_model', 'build_runner', 'get_model', 'init_detector',
           'init_segmentor', 'init_weights_quietly', 'list_models', 'load_config',
           'load_test_metainfo', 'load_weights_or_init', 'shutdown_distributed']
