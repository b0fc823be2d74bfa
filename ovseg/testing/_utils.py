"""Tiny CLIP models and checkpoint files for tests (the role of mmdet ``testing/_utils.py``).

The architectures are open_clip JSON configs in ``ovseg/models/clip/model_configs/``,
registered on ``import ovseg.models.clip``. Nothing here downloads anything.
"""
import os
import warnings
from typing import Dict, Union

import open_clip
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

import ovseg.models.clip  # noqa: F401  (registers the tiny architectures)

TINY_VIT = 'ovseg-tiny-vit'
TINY_RN = 'ovseg-tiny-rn'

StateDictSource = Union[nn.Module, Dict[str, torch.Tensor]]


def build_tiny_clip(name: str = TINY_VIT, seed: int = 0) -> nn.Module:
    """A randomly initialised tiny open_clip model, in eval mode.

    BatchNorm statistics and affine weights are randomised too (ModifiedResNet
    zero-initialises ``bn3``, which would hide bugs in the residual branches).
    The global RNG state is left untouched.

    Args:
        name (str): ``'ovseg-tiny-vit'`` (ViT, width 64, 2 layers, patch 8,
            32 px, QuickGELU) or ``'ovseg-tiny-rn'`` (ModifiedResNet [1,1,1,1],
            width 8, 32 px); both embed into D=32. Defaults to ``'ovseg-tiny-vit'``.
        seed (int): weights seed. Defaults to 0.
    """
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = open_clip.create_model(name, pretrained=None)
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.data.uniform_(0.5, 1.5)
                module.bias.data.normal_(0, 0.1)
    return model.eval()


def _state_dict(source: StateDictSource) -> Dict[str, torch.Tensor]:
    return source.state_dict() if isinstance(source, nn.Module) else dict(source)


def save_state_dict(source: StateDictSource, path: str, *, key_prefix: str = '',
                    mmengine_checkpoint: bool = False) -> str:
    """Save weights with ``torch.save`` in one of the layouts ovseg must read.

    Args:
        source (nn.Module | dict): model or state dict.
        path (str): output file.
        key_prefix (str): prepended to every key, e.g. ``'module.'`` (DDP).
            Defaults to ``''``.
        mmengine_checkpoint (bool): wrap as an mmengine runner checkpoint
            (``meta``, ``state_dict``, ``message_hub`` with history buffers).
            Defaults to False (a plain state dict).

    Returns:
        str: ``path``.
    """
    state_dict = {key_prefix + k: v for k, v in _state_dict(source).items()}
    if mmengine_checkpoint:
        from mmengine.logging import HistoryBuffer
        state_dict = dict(
            meta=dict(epoch=1, iter=10, seed=0, dataset_meta=dict(classes=('a', 'b'))),
            state_dict=state_dict,
            message_hub=dict(log_scalars={'train/loss': HistoryBuffer([1.0, 0.5], [1, 1])},
                             runtime_info={'iter': 10}))
    torch.save(state_dict, path)
    return path


def _holder_tree(state_dict: Dict[str, torch.Tensor]) -> nn.Module:
    """Bare modules holding the tensors under their dotted names."""
    root = nn.Module()
    for key, value in state_dict.items():
        *path, leaf = key.split('.')
        module = root
        for name in path:
            if not hasattr(module, name):
                module.add_module(name, nn.Module())
            module = getattr(module, name)
        if value.is_floating_point():
            param = nn.Parameter(value.detach().clone(), requires_grad=False)
            module.register_parameter(leaf, param)
        else:
            module.register_buffer(leaf, value.detach().clone())
    return root


def save_openai_torchscript(source: StateDictSource, path: str, *,
                            dtype: torch.dtype = torch.float32) -> str:
    """Save weights as an OpenAI-style TorchScript archive (``torch.jit.save``).

    Same key layout as OpenAI's released ``.pt`` files (``visual.*``,
    ``transformer.*``, ``token_embedding.weight``, ...) plus their non-weight
    ``input_resolution``/``context_length``/``vocab_size`` tensors, so readers
    can be tested without the real 350 MB files.

    Args:
        source (nn.Module | dict): an open_clip ``CLIP`` or its state dict.
        path (str): output file.
        dtype (torch.dtype): floating dtype to store (OpenAI used float16 for
            most weights). Defaults to float32.

    Returns:
        str: ``path``.
    """
    state_dict = {k: v.to(dtype) if v.is_floating_point() else v
                  for k, v in _state_dict(source).items()}
    state_dict.update(input_resolution=torch.tensor(224), context_length=torch.tensor(77),
                      vocab_size=torch.tensor(49408))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)  # torch.jit.script deprecation
        torch.jit.save(torch.jit.script(_holder_tree(state_dict)), os.fspath(path))
    return path
