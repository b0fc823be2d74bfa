"""Writing a trained CLIP as an open_clip checkpoint that any config can name as ``pretrained``."""
import os
import os.path as osp
from typing import AbstractSet, Dict

import torch
from mmengine.registry import HOOKS
from torch import Tensor, nn

from ovseg.compat.converters import register_converter
from ovseg.engine.publish_weights_hook import PublishWeightsHook


_TEXT_PREFIX = 'classifier.text_encoder.'


def is_contrastive_clip_state_dict(keys: AbstractSet[str]) -> bool:
    """Whether ``keys`` are a :class:`ContrastiveCLIP` model's (``visual.*`` and
    ``classifier.text_encoder.*``, e.g. an mmengine ``iter_N.pth`` of a SynthCLIP run)."""
    return (any(k.startswith(_TEXT_PREFIX) for k in keys)
            and any(k.startswith('visual.') for k in keys))


def contrastive_clip_to_open_clip(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """ContrastiveCLIP keys (``visual.*``, ``classifier.text_encoder.*``) -> open_clip CLIP keys.

    Other keys (a distillation teacher, learnable context) are dropped.

    Raises:
        ValueError: no ContrastiveCLIP weights in ``state_dict``.
    """
    out = {}
    for key, value in state_dict.items():
        if key.startswith('visual.'):
            out[key] = value
        elif key.startswith(_TEXT_PREFIX):
            out[key[len(_TEXT_PREFIX):]] = value
    if not out:
        raise ValueError('no ContrastiveCLIP weights (visual.*, classifier.text_encoder.*) found')
    return out


register_converter(
    name='synthclip-mmengine', target='open_clip', matches=is_contrastive_clip_state_dict,
    convert=contrastive_clip_to_open_clip,
    description='ContrastiveCLIP (SynthCLIP) mmengine checkpoint, e.g. work_dirs/RUN/iter_N.pth')


def save_clip_checkpoint(state_dict: Dict[str, Tensor], path: str, *, model_name: str) -> str:
    """Save open_clip weights as ``{'state_dict': ..., 'model_name': ...}``.

    ``open_clip.create_model(model_name, pretrained=path)`` and
    ``ovseg.models.clip.create_clip(model_name, pretrained=path)`` both read this layout
    with ``weights_only=True`` (tensors and strings only).

    Args:
        state_dict (dict[str, Tensor]): weights in open_clip ``CLIP`` layout.
        path (str): output file; its folder is created.
        model_name (str): the open_clip architecture the weights belong to.

    Returns:
        str: ``path``.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    torch.save(dict(state_dict=state_dict, model_name=model_name), path)
    return path


@HOOKS.register_module()
class ExportCLIPHook(PublishWeightsHook):
    """After training, write the model's CLIP weights to ``work_dir/<filename>`` as an open_clip
    checkpoint (:func:`save_clip_checkpoint`).

    The model must provide ``clip_state_dict()`` and ``model_name``
    (:class:`ContrastiveCLIP` does). Only rank 0 writes. With ``name`` (a weights name of
    :mod:`ovseg.utils.weights`), the file is ``<name>.pt`` and is also copied into the ovseg
    weights cache, so that configs read it as ``pretrained=name``
    (:class:`~ovseg.engine.PublishWeightsHook`, of which this is the open_clip format).

    Args:
        filename (str, optional): file name inside the work dir. Defaults to
            ``'<name>.pt'`` with ``name``, else ``'synthclip.pt'``.
        name (str, optional): registered weights name to publish the weights as.
            Defaults to None (the work dir only).
        out_dir (str, optional): folder instead of the work dir. Defaults to None.
    """

    default_filename = 'synthclip.pt'

    def save(self, runner, model: nn.Module, path: str) -> str:
        save_clip_checkpoint(model.clip_state_dict(), path, model_name=model.model_name)
        return f'the open_clip weights of {model.model_name}'
