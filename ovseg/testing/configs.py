"""Building a config's model offline, for config tests."""
from typing import Any, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope


def disable_pretrained(cfg: Any) -> None:
    """Set every string ``pretrained``/``checkpoint`` entry of ``cfg`` to None, in place."""
    if isinstance(cfg, dict):
        for key in list(cfg):
            if key in ('pretrained', 'checkpoint') and isinstance(cfg[key], str):
                cfg[key] = None
            else:
                disable_pretrained(cfg[key])
    elif isinstance(cfg, (list, tuple)):
        for item in cfg:
            disable_pretrained(item)


def build_config_model(path: str, device: str = 'meta') -> Tuple[Config, torch.nn.Module]:
    """(config, model) of the config file ``path`` with pretrained weights off.

    On the ``meta`` device full-size architectures (RN101, ViT-B/16, ...) allocate
    no memory. The config's ``default_scope`` is used only while building.
    """
    cfg = Config.fromfile(path)
    disable_pretrained(cfg.model)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')), \
            torch.device(device):
        return cfg, MODELS.build(cfg.model)
