"""Build Segment Anything models from SAM's own classes and load weights without code execution.

SAM's builders (``sam_model_registry``) call a bare ``torch.load`` on the checkpoint; here they
are always called with ``checkpoint=None`` and the weights go through
:func:`ovseg.compat.read_state_dict` (``weights_only=True``) and the strict key check of
:func:`ovseg.compat.load_model_weights`, which names missing, unexpected and wrongly shaped keys.
Checkpoints for another input size are fitted by interpolating the absolute position embedding
and the relative position tables, so a released 1024 px ViT-B can run at, e.g., 512 px on a CPU.
"""
import os
from functools import partial
from typing import AbstractSet, Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from segment_anything import sam_model_registry
from segment_anything.modeling import (ImageEncoderViT, MaskDecoder, PromptEncoder, Sam,
                                       TwoWayTransformer)
from torch import nn

from ovseg.compat import load_model_weights, read_state_dict
from ovseg.compat.converters import convert_checkpoint, register_converter

SAM_VARIANTS = ('vit_b', 'vit_l', 'vit_h')

SamSpec = Union[str, dict, nn.Module]


def list_sam_variants() -> List[str]:
    """Names accepted by :func:`build_sam`: SAM's released encoders ViT-B/L/H."""
    return list(SAM_VARIANTS)


def build_sam_from_arch(*, image_size: int = 1024, patch_size: int = 16,
                        encoder_embed_dim: int = 768, encoder_depth: int = 12,
                        encoder_num_heads: int = 12,
                        encoder_global_attn_indexes: Sequence[int] = (2, 5, 8, 11),
                        window_size: int = 14, prompt_embed_dim: int = 256,
                        decoder_depth: int = 2, decoder_mlp_dim: int = 2048,
                        decoder_num_heads: int = 8, iou_head_hidden_dim: int = 256,
                        mask_in_chans: int = 16) -> Sam:
    """A randomly initialised SAM of any size, made of SAM's own modules.

    The defaults are SAM ViT-B (``sam_model_registry['vit_b']``); tests use embedding size 32,
    depth 1 and a 64 px input (:func:`ovseg.testing.build_tiny_sam`).

    Args:
        image_size (int): square input side S the image encoder expects. Defaults to 1024.
        patch_size (int): ViT patch size p; the image embedding is S/p. Defaults to 16.
        encoder_embed_dim (int): ViT width. Defaults to 768.
        encoder_depth (int): ViT blocks. Defaults to 12.
        encoder_num_heads (int): ViT heads. Defaults to 12.
        encoder_global_attn_indexes (Sequence[int]): blocks with global (not windowed)
            attention. Defaults to (2, 5, 8, 11).
        window_size (int): window of the other blocks. Defaults to 14.
        prompt_embed_dim (int): prompt / mask-decoder width. Defaults to 256.
        decoder_depth (int): two-way transformer blocks. Defaults to 2.
        decoder_mlp_dim (int): their MLP width. Defaults to 2048.
        decoder_num_heads (int): their heads. Defaults to 8.
        iou_head_hidden_dim (int): IoU head width. Defaults to 256.
        mask_in_chans (int): hidden channels of the dense mask-prompt encoder. Defaults to 16.

    Returns:
        Sam: in eval mode.
    """
    embedding_size = image_size // patch_size
    sam = Sam(
        image_encoder=ImageEncoderViT(
            depth=encoder_depth, embed_dim=encoder_embed_dim, img_size=image_size,
            mlp_ratio=4, norm_layer=partial(nn.LayerNorm, eps=1e-6),
            num_heads=encoder_num_heads, patch_size=patch_size, qkv_bias=True,
            use_rel_pos=True, global_attn_indexes=tuple(encoder_global_attn_indexes),
            window_size=window_size, out_chans=prompt_embed_dim),
        prompt_encoder=PromptEncoder(
            embed_dim=prompt_embed_dim, image_embedding_size=(embedding_size, embedding_size),
            input_image_size=(image_size, image_size), mask_in_chans=mask_in_chans),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(depth=decoder_depth, embedding_dim=prompt_embed_dim,
                                          mlp_dim=decoder_mlp_dim, num_heads=decoder_num_heads),
            transformer_dim=prompt_embed_dim, iou_head_depth=3,
            iou_head_hidden_dim=iou_head_hidden_dim),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375])
    return sam.eval()


def is_sam_state_dict(keys: AbstractSet[str]) -> bool:
    """Whether ``keys`` are SAM's (sentinel: ``image_encoder.patch_embed.proj.weight``)."""
    return 'image_encoder.patch_embed.proj.weight' in keys and all(
        k.startswith(('image_encoder.', 'prompt_encoder.', 'mask_decoder.')) for k in keys)


register_converter(name='sam', target='sam', matches=is_sam_state_dict,
                   description="Segment Anything (the released sam_vit_*.pth layout)")


def read_sam_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Read SAM weights with :func:`ovseg.compat.read_state_dict` (``weights_only=True``).

    Accepts SAM's released ``sam_vit_*.pth`` (a plain state dict), ``{'state_dict': ...}``,
    ``{'model': ...}`` and mmengine checkpoints; a leading ``module.`` is stripped.

    Args:
        path (str): local file.

    Returns:
        dict[str, Tensor]: the weights.

    Raises:
        CheckpointError: the file is missing, holds no state dict of tensors, or (an
            :class:`~ovseg.compat.UnsafeCheckpointError`) needs code execution to load.
    """
    return convert_checkpoint(read_state_dict(path), target='sam', keep_unknown=True,
                              name=os.fspath(path))


def _fit_positions(own: Dict[str, torch.Tensor], state_dict: Dict[str, torch.Tensor]) -> None:
    """Interpolate ``pos_embed`` (1, h, w, C) and ``rel_pos_*`` (2s-1, c) to the model's sizes."""
    for key, value in list(state_dict.items()):
        target = own.get(key)
        if target is None or target.shape == value.shape:
            continue
        if key.endswith('pos_embed') and value.dim() == 4 and value.shape[-1] == target.shape[-1]:
            grid = value.permute(0, 3, 1, 2).float()  # (1, C, h, w)
            grid = F.interpolate(grid, size=tuple(target.shape[1:3]), mode='bicubic',
                                 align_corners=False)
            state_dict[key] = grid.permute(0, 2, 3, 1).to(value.dtype)  # (1, h', w', C)
        elif '.rel_pos_' in key and value.dim() == 2 and value.shape[1] == target.shape[1]:
            table = value.t()[None].float()  # (1, c, 2s-1)
            table = F.interpolate(table, size=target.shape[0], mode='linear',
                                  align_corners=False)
            state_dict[key] = table[0].t().to(value.dtype)  # (2s'-1, c)


def load_sam_weights(sam: Sam, state_dict: Dict[str, torch.Tensor], *,
                     source: str = 'checkpoint') -> None:
    """Strictly load ``state_dict`` into ``sam``, fitting position tables to its input size.

    The position tables are fitted first; the key check and the load are
    :func:`ovseg.compat.load_model_weights` (the one strict loader).

    Args:
        sam (Sam): the model.
        state_dict (dict[str, Tensor]): SAM-layout weights (``image_encoder.*``,
            ``prompt_encoder.*``, ``mask_decoder.*``).
        source (str): name used in error messages. Defaults to ``'checkpoint'``.

    Raises:
        CheckpointMismatchError: missing, unexpected or wrongly shaped keys, listed by name.
    """
    state_dict = dict(state_dict)
    _fit_positions(sam.state_dict(), state_dict)
    load_model_weights(sam, state_dict, name=source, model_desc=f'this SAM ({_describe(sam)})')


def load_sam_checkpoint(sam: Sam, checkpoint: str) -> None:
    """Read ``checkpoint`` with :func:`read_sam_checkpoint` and load it with
    :func:`load_sam_weights` (strict; error messages name the file)."""
    load_sam_weights(sam, read_sam_checkpoint(checkpoint), source=os.fspath(checkpoint))


def _describe(sam: Sam) -> str:
    encoder = sam.image_encoder
    return (f'image encoder width {encoder.patch_embed.proj.out_channels}, '
            f'{len(encoder.blocks)} blocks, input {encoder.img_size} px')


def build_sam(sam: SamSpec = 'vit_b', checkpoint: Optional[str] = None) -> Sam:
    """A SAM from a variant name, an architecture dict or a built model, plus weights.

    Args:
        sam (str | dict | nn.Module): ``'vit_b'``, ``'vit_l'`` or ``'vit_h'`` (built by
            ``segment_anything.sam_model_registry`` with ``checkpoint=None``); keyword
            arguments of :func:`build_sam_from_arch`; or a built ``Sam``, used as is.
            Defaults to ``'vit_b'``.
        checkpoint (str, optional): weights file read by :func:`read_sam_checkpoint`.
            Defaults to None (random weights).

    Returns:
        Sam: in eval mode.

    Examples:
        >>> sam = build_sam(dict(image_size=64, patch_size=8, encoder_embed_dim=32,
        ...                      encoder_depth=1, encoder_num_heads=2,
        ...                      encoder_global_attn_indexes=(0,), window_size=4,
        ...                      prompt_embed_dim=32, decoder_depth=1, decoder_mlp_dim=64,
        ...                      decoder_num_heads=2, iou_head_hidden_dim=32, mask_in_chans=4))
        >>> sam.image_encoder.img_size
        64
    """
    if isinstance(sam, nn.Module):
        model = sam
    elif isinstance(sam, str):
        if sam not in SAM_VARIANTS:
            raise ValueError(f'Unknown SAM variant {sam!r}; choose one of {SAM_VARIANTS} '
                             f'or pass an architecture dict.')
        model = sam_model_registry[sam](checkpoint=None)
    elif isinstance(sam, dict):
        model = build_sam_from_arch(**sam)
    else:
        raise TypeError(f'sam must be a variant name, an architecture dict or a Sam, '
                        f'not {type(sam).__name__}')
    if checkpoint is not None:
        load_sam_checkpoint(model, checkpoint)
    return model.eval()
