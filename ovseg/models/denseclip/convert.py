"""Convert checkpoints released by the original DenseCLIP code into ovseg's key layout.

Original layout (mmseg 0.x / mmdet 2.x, CLIP code vendored into the backbone):

- ``backbone.*``: ``CLIPResNetWithAttention`` (``conv1``..``layer4``, ``attnpool.*``) or
  ``CLIPVisionTransformer`` (``conv1``, ``class_embedding``, ``positional_embedding``,
  ``ln_pre``, ``transformer.*``, ``ln_post``, ``proj``, ``fpn1``..``fpn4``);
- ``text_encoder.*`` (CLIP text keys), ``context_decoder.*``, ``contexts``, ``gamma``;
- ``neck.*`` and ``decode_head.*`` (segmentation) or ``bbox_head.*`` / ``rpn_head.*`` /
  ``roi_head.*`` (detection).

ovseg wraps the open_clip towers, so backbone keys gain ``visual.`` and the ViT pyramid
``fpn{i}`` becomes ``adapters.{i-1}``. Each adapter is an ``nn.Sequential``; the original's
identity-scale level (``fpn3`` at patch 16, ``fpn2`` at patch 8) is a bare ``nn.GroupNorm``
saved as ``fpn{i}.weight``/``.bias``, which becomes ``adapters.{i-1}.0.*``. The text encoder
gains ``logit_scale``; everything else keeps its name.

The original ViT adds ``class_embedding`` to the class token's positional embedding as well
(DenseCLIP issue #20). The converter folds that second addition into
``positional_embedding[0]``, so the converted ViT runs the original's forward exactly with
ovseg's default ``class_embedding_twice=False`` (do not set it to True for a converted
checkpoint: that would add the class embedding a third time).
"""
import math
import re
from typing import AbstractSet, Dict, List, Tuple, Union

import torch

from ovseg.compat.converters import register_converter

_KEPT_PREFIXES = ('text_encoder.', 'context_decoder.', 'neck.', 'decode_head.',
                  'auxiliary_head.', 'bbox_head.', 'rpn_head.', 'roi_head.')
_KEPT_KEYS = ('contexts', 'gamma')
_FPN = re.compile(r'^backbone\.fpn([1-4])\.(.*)$')
# A bare nn.GroupNorm level of the original pyramid (no Sequential index in the key).
_BARE_NORM = ('weight', 'bias')


def is_original_denseclip(state_dict: Union[Dict[str, torch.Tensor], AbstractSet[str]]) -> bool:
    """True for the original's layout: ``contexts``/``gamma`` plus un-wrapped CLIP backbone keys."""
    has_prompt = 'contexts' in state_dict and 'gamma' in state_dict
    raw_backbone = any(k.startswith(('backbone.layer1.', 'backbone.transformer.'))
                       for k in state_dict)
    return has_prompt and raw_backbone


def is_vit_checkpoint(state_dict: Dict[str, torch.Tensor]) -> bool:
    """True when the (original-layout) backbone is a vision transformer."""
    return 'backbone.class_embedding' in state_dict


def fold_class_embedding(positional_embedding: torch.Tensor,
                         class_embedding: torch.Tensor) -> torch.Tensor:
    """Positional embedding (1 + h*w, C) with ``class_embedding`` (C,) added to row 0.

    The original ViT computes ``x_cls = class_embedding + (pos[0] + class_embedding)``; with
    the sum stored in row 0, ovseg's ``x_cls = class_embedding + pos[0]`` gives the same
    numbers (the same additions in the same order).
    """
    folded = positional_embedding.clone()
    folded[0] = positional_embedding[0] + class_embedding
    return folded


def convert_denseclip_state_dict(
        state_dict: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Rename an original DenseCLIP state dict to ovseg's modules.

    Args:
        state_dict (dict[str, Tensor]): weights in the original layout (``module.`` already
            stripped).

    Returns:
        tuple[dict[str, Tensor], list[str]]: converted weights and the keys dropped
        (buffers ovseg recomputes, such as tokenised class names, and parameter-free heads).
        A ViT's class embedding is folded into its positional embedding (module docstring).

    Raises:
        ValueError: ``state_dict`` is not in the original layout.
    """
    if not is_original_denseclip(state_dict):
        raise ValueError('not an original DenseCLIP checkpoint: expected top-level "contexts" '
                         'and "gamma" and backbone keys such as backbone.layer1.* or '
                         'backbone.transformer.*')
    out: Dict[str, torch.Tensor] = {}
    dropped: List[str] = []
    for key, value in state_dict.items():
        fpn = _FPN.match(key)
        if fpn:
            rest = fpn.group(2)
            if rest in _BARE_NORM:  # original bare GroupNorm -> our Sequential's first layer
                rest = f'0.{rest}'
            out[f'backbone.adapters.{int(fpn.group(1)) - 1}.{rest}'] = value
        elif key.startswith('backbone.'):
            out['backbone.visual.' + key[len('backbone.'):]] = value
        elif key in _KEPT_KEYS or key.startswith(_KEPT_PREFIXES):
            if key.startswith('text_encoder.') and key.endswith('attn_mask'):
                dropped.append(key)
            else:
                out[key] = value
        else:
            dropped.append(key)  # e.g. 'texts', identity_head.* (parameter-free)
    if is_vit_checkpoint(state_dict):
        out['backbone.visual.positional_embedding'] = fold_class_embedding(
            state_dict['backbone.positional_embedding'], state_dict['backbone.class_embedding'])
    if any(k.startswith('text_encoder.') for k in out):
        out.setdefault('text_encoder.logit_scale', torch.tensor(math.log(1 / 0.07)))
    return out, dropped


register_converter(
    name='denseclip', target='ovseg', matches=is_original_denseclip,
    convert=lambda state_dict: convert_denseclip_state_dict(state_dict)[0],
    description='original DenseCLIP (raoyongming/DenseCLIP, mmseg 0.x / mmdet 2.x) checkpoint')
