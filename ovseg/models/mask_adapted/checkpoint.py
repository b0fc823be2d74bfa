"""Reading OVSeg's released mask-adapted CLIP into open_clip's layout.

OVSeg (https://arxiv.org/abs/2210.04150) releases detectron2 checkpoints
(``{'model': state_dict, ...}``) whose CLIP sits under ``clip_adapter.clip_model.`` in
OpenAI's key layout, with the mask prompts as ``visual.mask_embedding`` (depth, N_p, C).
OpenAI's names are open_clip's, so conversion is a prefix change: the result is an open_clip
``CLIP`` state dict plus ``visual.mask_embedding``, which :class:`MaskPromptViT` and
``CLIPTextEncoder`` load (``tools/convert/ovseg2openclip.py`` writes it to a file).
"""
from typing import AbstractSet, Dict, Optional, Union

import open_clip
from torch import Tensor

from ovseg.compat import read_state_dict
from ovseg.compat.converters import convert_checkpoint, register_converter

OVSEG_CLIP_PREFIX = 'clip_adapter.clip_model.'
MASK_EMBEDDING_KEY = 'mask_embedding'
# OpenAI TorchScript metadata stored next to the weights; not parameters.
_NON_WEIGHT_KEYS = ('input_resolution', 'context_length', 'vocab_size')


def is_ovseg_state_dict(state_dict: Union[Dict[str, Tensor], AbstractSet[str]]) -> bool:
    """Whether ``state_dict`` (or its keys) is in OVSeg's layout (sentinel: the CLIP prefix)."""
    return any(key.startswith(OVSEG_CLIP_PREFIX) for key in state_dict)


def convert_ovseg_state_dict(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """OVSeg layout -> open_clip ``CLIP`` layout plus ``visual.mask_embedding``.

    Keys without the ``clip_adapter.clip_model.`` prefix (the MaskFormer proposal
    generator, the adapter's no-object embedding) are dropped, as is OpenAI's metadata.

    Raises:
        ValueError: no key has the prefix.
    """
    out = {k[len(OVSEG_CLIP_PREFIX):]: v for k, v in state_dict.items()
           if k.startswith(OVSEG_CLIP_PREFIX)}
    if not out:
        raise ValueError(f'no key starts with {OVSEG_CLIP_PREFIX!r}: not an OVSeg checkpoint')
    for key in _NON_WEIGHT_KEYS:
        out.pop(key, None)
    return out


register_converter(
    name='ovseg-mask-adapted-clip', target='open_clip', matches=is_ovseg_state_dict,
    convert=convert_ovseg_state_dict,
    description="OVSeg's released mask-adapted CLIP (detectron2, clip_adapter.clip_model.*)")


def _vision_signature(cfg: dict, image_size: Optional[int] = None) -> Optional[tuple]:
    vision = cfg.get('vision_cfg', {})
    if not isinstance(vision.get('layers'), int) or not vision.get('patch_size'):
        return None
    text = cfg.get('text_cfg', {})
    return (cfg.get('embed_dim'), vision.get('width'), vision['layers'], vision['patch_size'],
            image_size or vision.get('image_size'), text.get('width'), text.get('layers'))


def infer_clip_model_name(state_dict: Dict[str, Tensor]) -> str:
    """open_clip ViT architecture whose shapes fit an open_clip-layout state dict.

    Among the matches, QuickGELU ones are preferred (OpenAI-derived weights, as OVSeg's),
    then the shortest name.

    Raises:
        ValueError: no architecture (or no ViT) fits; pass the name explicitly.
    """
    try:
        conv = state_dict['visual.conv1.weight']  # (C, 3, p, p)
        pos = state_dict['visual.positional_embedding']  # (1 + g*g, C)
        proj = state_dict['visual.proj']  # (C, D)
        text_width = state_dict['token_embedding.weight'].shape[1]
    except KeyError as err:
        raise ValueError(f'not a ViT CLIP state dict (missing {err}); '
                         'give the open_clip model name explicitly') from None
    patch = conv.shape[-1]
    grid = int(round((pos.shape[0] - 1) ** 0.5))
    layers = 1 + max(int(k.split('.')[3]) for k in state_dict
                     if k.startswith('visual.transformer.resblocks.'))
    text_layers = 1 + max(int(k.split('.')[2]) for k in state_dict
                          if k.startswith('transformer.resblocks.'))
    wanted = (proj.shape[1], conv.shape[0], layers, patch, grid * patch, text_width, text_layers)
    matches = []
    for name in open_clip.list_models():
        cfg = open_clip.get_model_config(name) or {}
        if _vision_signature(cfg) == wanted:
            matches.append((not cfg.get('quick_gelu', False), len(name), name))
    if not matches:
        raise ValueError(f'no open_clip architecture has (embed_dim, width, layers, patch, '
                         f'image size, text width, text layers) = {wanted}; '
                         'give the model name explicitly')
    return min(matches)[2]


def convert_ovseg_checkpoint(src: str, dst: str, *, model_name: Optional[str] = None) -> str:
    """Write OVSeg's mask-adapted CLIP as an ovseg/open_clip checkpoint.

    Args:
        src (str): OVSeg ``.pth`` (detectron2) or a state dict in its layout or open_clip's.
        dst (str): output file, ``{'state_dict': ..., 'model_name': ...}``.
        model_name (str, optional): open_clip architecture; inferred when None.

    Returns:
        str: the model name written.

    Raises:
        ValueError: ``src`` is in neither layout (the message lists the known ones).
    """
    from ovseg.models.pretraining import save_clip_checkpoint
    state_dict = convert_checkpoint(read_state_dict(src), target='open_clip', name=src)
    model_name = model_name or infer_clip_model_name(state_dict)
    save_clip_checkpoint({k: v.detach().clone() for k, v in state_dict.items()}, dst,
                         model_name=model_name)
    return model_name


__all__ = ['MASK_EMBEDDING_KEY', 'OVSEG_CLIP_PREFIX', 'convert_ovseg_checkpoint',
           'convert_ovseg_state_dict', 'infer_clip_model_name', 'is_ovseg_state_dict']
