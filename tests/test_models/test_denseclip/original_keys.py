"""State-dict key lists (name -> shape) of the ORIGINAL DenseCLIP modules, as test data.

Written by hand from the module definitions of raoyongming/DenseCLIP (HEAD 5eda47f),
``segmentation/denseclip/models.py`` and ``detection/denseclip/models.py`` (same names in
both), not from ovseg's modules, so the converter tests see the original's layout:

- ``CLIPResNetWithAttention``: 3-conv stem ``conv1..3``/``bn1..3``; ``layer1..4`` of
  ``Bottleneck`` (``conv1..3``, ``bn1..3``, ``downsample`` = Sequential named ``-1`` (AvgPool,
  no weights), ``0`` (conv), ``1`` (BN)); ``attnpool`` (``positional_embedding``,
  ``k_proj``, ``q_proj``, ``v_proj``, ``c_proj``).
- ``CLIPVisionTransformer``: ``conv1``, ``class_embedding``, ``positional_embedding``,
  ``ln_pre``, ``transformer.resblocks.i`` (``attn`` = nn.MultiheadAttention, ``ln_1``,
  ``mlp.c_fc``, ``mlp.c_proj``, ``ln_2``), ``ln_post``/``proj`` (``get_embeddings``), and
  the pyramid: at patch 16 ``fpn1`` = Sequential(GN, ConvT, SyncBN, GELU, ConvT), ``fpn2`` =
  Sequential(GN, ConvT), ``fpn3`` = a bare GroupNorm, ``fpn4`` = Sequential(GN, MaxPool);
  at patch 8 ``fpn1`` = Sequential(GN, ConvT), ``fpn2`` = a bare GroupNorm, ``fpn3``/``fpn4``
  = Sequential(GN, MaxPool).
- ``CLIPTextContextEncoder``: ``transformer.*``, ``token_embedding``,
  ``positional_embedding``, ``ln_final``, ``text_projection`` (no ``logit_scale``; the
  causal mask is a plain attribute, not saved).
- ``ContextDecoder``: ``memory_proj`` = Sequential(LN, Linear, LN), ``text_proj`` =
  Sequential(LN, Linear), ``decoder.i`` (``self_attn``/``cross_attn`` with bias-free
  ``q_proj``/``k_proj``/``v_proj`` and ``proj``; ``norm1..3``; ``mlp`` = Sequential(Linear,
  GELU, Dropout, Linear)), ``out_proj`` = Sequential(LN, Linear).
- The detector/segmentor itself: ``contexts`` (1, N, text width) and ``gamma`` (D,).

Necks and heads are mmseg 0.x / mmdet 2.x modules whose key names mmseg 1.x / mmdet 3.x
kept (FPN ``lateral_convs.i.conv``, FPNHead ``scale_heads``, RetinaHead, RPN, RoI heads), so
tests take those from the built model.
"""
from typing import Dict, Tuple

import torch

Shapes = Dict[str, Tuple[int, ...]]


def _bn(prefix: str, c: int) -> Shapes:
    return {f'{prefix}.weight': (c,), f'{prefix}.bias': (c,), f'{prefix}.running_mean': (c,),
            f'{prefix}.running_var': (c,), f'{prefix}.num_batches_tracked': ()}


def _norm(prefix: str, c: int) -> Shapes:  # LayerNorm / GroupNorm
    return {f'{prefix}.weight': (c,), f'{prefix}.bias': (c,)}


def _linear(prefix: str, c_out: int, c_in: int, bias: bool = True) -> Shapes:
    out = {f'{prefix}.weight': (c_out, c_in)}
    if bias:
        out[f'{prefix}.bias'] = (c_out,)
    return out


def _resblocks(prefix: str, width: int, layers: int) -> Shapes:
    out: Shapes = {}
    for i in range(layers):
        p = f'{prefix}.resblocks.{i}'
        out.update({f'{p}.attn.in_proj_weight': (3 * width, width),
                    f'{p}.attn.in_proj_bias': (3 * width,)})
        out.update(_linear(f'{p}.attn.out_proj', width, width))
        out.update(_norm(f'{p}.ln_1', width))
        out.update(_linear(f'{p}.mlp.c_fc', 4 * width, width))
        out.update(_linear(f'{p}.mlp.c_proj', width, 4 * width))
        out.update(_norm(f'{p}.ln_2', width))
    return out


def resnet_keys(*, layers, width: int, output_dim: int, input_resolution: int) -> Shapes:
    """``backbone.*`` of ``CLIPResNetWithAttention``."""
    out: Shapes = {'backbone.conv1.weight': (width // 2, 3, 3, 3),
                   'backbone.conv2.weight': (width // 2, width // 2, 3, 3),
                   'backbone.conv3.weight': (width, width // 2, 3, 3)}
    for i, c in ((1, width // 2), (2, width // 2), (3, width)):
        out.update(_bn(f'backbone.bn{i}', c))
    inplanes = width
    for stage, (blocks, stride) in enumerate(zip(layers, (1, 2, 2, 2)), start=1):
        planes = width * 2 ** (stage - 1)
        for b in range(blocks):
            p = f'backbone.layer{stage}.{b}'
            s = stride if b == 0 else 1
            out[f'{p}.conv1.weight'] = (planes, inplanes, 1, 1)
            out[f'{p}.conv2.weight'] = (planes, planes, 3, 3)
            out[f'{p}.conv3.weight'] = (planes * 4, planes, 1, 1)
            out.update(_bn(f'{p}.bn1', planes))
            out.update(_bn(f'{p}.bn2', planes))
            out.update(_bn(f'{p}.bn3', planes * 4))
            if s > 1 or inplanes != planes * 4:
                out[f'{p}.downsample.0.weight'] = (planes * 4, inplanes, 1, 1)
                out.update(_bn(f'{p}.downsample.1', planes * 4))
            inplanes = planes * 4
    embed = width * 32
    side = input_resolution // 32
    out['backbone.attnpool.positional_embedding'] = (side * side + 1, embed)
    for name in ('k_proj', 'q_proj', 'v_proj'):
        out.update(_linear(f'backbone.attnpool.{name}', embed, embed))
    out.update(_linear('backbone.attnpool.c_proj', output_dim, embed))
    return out


def vit_keys(*, width: int, layers: int, patch_size: int, output_dim: int,
             input_resolution: int) -> Shapes:
    """``backbone.*`` of ``CLIPVisionTransformer(get_embeddings=True)``, patch 16 or 8."""
    side = input_resolution // patch_size
    out: Shapes = {'backbone.conv1.weight': (width, 3, patch_size, patch_size),
                   'backbone.class_embedding': (width,),
                   'backbone.positional_embedding': (side * side + 1, width),
                   'backbone.proj': (width, output_dim)}
    out.update(_norm('backbone.ln_pre', width))
    out.update(_norm('backbone.ln_post', width))
    out.update(_resblocks('backbone.transformer', width, layers))
    deconv = (width, width, 2, 2)
    if patch_size == 16:
        out.update(_norm('backbone.fpn1.0', width))
        out.update({'backbone.fpn1.1.weight': deconv, 'backbone.fpn1.1.bias': (width,)})
        out.update(_bn('backbone.fpn1.2', width))  # nn.SyncBatchNorm
        out.update({'backbone.fpn1.4.weight': deconv, 'backbone.fpn1.4.bias': (width,)})
        out.update(_norm('backbone.fpn2.0', width))
        out.update({'backbone.fpn2.1.weight': deconv, 'backbone.fpn2.1.bias': (width,)})
        out.update(_norm('backbone.fpn3', width))  # bare nn.GroupNorm
        out.update(_norm('backbone.fpn4.0', width))
    elif patch_size == 8:
        out.update(_norm('backbone.fpn1.0', width))
        out.update({'backbone.fpn1.1.weight': deconv, 'backbone.fpn1.1.bias': (width,)})
        out.update(_norm('backbone.fpn2', width))  # bare nn.GroupNorm
        out.update(_norm('backbone.fpn3.0', width))
        out.update(_norm('backbone.fpn4.0', width))
    else:
        raise ValueError(f'the original defines pyramids for patch 16 and 8, not {patch_size}')
    return out


def text_encoder_keys(*, width: int, layers: int, embed_dim: int, context_length: int,
                      vocab_size: int = 49408) -> Shapes:
    """``text_encoder.*`` of ``CLIPTextContextEncoder``."""
    out: Shapes = {'text_encoder.token_embedding.weight': (vocab_size, width),
                   'text_encoder.positional_embedding': (context_length, width),
                   'text_encoder.text_projection': (width, embed_dim)}
    out.update(_norm('text_encoder.ln_final', width))
    out.update(_resblocks('text_encoder.transformer', width, layers))
    return out


def context_decoder_keys(*, visual_dim: int, width: int, layers: int) -> Shapes:
    """``context_decoder.*`` of ``ContextDecoder``."""
    p = 'context_decoder'
    out: Shapes = {}
    out.update(_norm(f'{p}.memory_proj.0', visual_dim))
    out.update(_linear(f'{p}.memory_proj.1', width, visual_dim))
    out.update(_norm(f'{p}.memory_proj.2', width))
    out.update(_norm(f'{p}.text_proj.0', visual_dim))
    out.update(_linear(f'{p}.text_proj.1', width, visual_dim))
    for i in range(layers):
        d = f'{p}.decoder.{i}'
        for attn in ('self_attn', 'cross_attn'):
            for name in ('q_proj', 'k_proj', 'v_proj'):
                out.update(_linear(f'{d}.{attn}.{name}', width, width, bias=False))
            out.update(_linear(f'{d}.{attn}.proj', width, width))
        for n in (1, 2, 3):
            out.update(_norm(f'{d}.norm{n}', width))
        out.update(_linear(f'{d}.mlp.0', 4 * width, width))
        out.update(_linear(f'{d}.mlp.3', width, 4 * width))
    out.update(_norm(f'{p}.out_proj.0', width))
    out.update(_linear(f'{p}.out_proj.1', visual_dim, width))
    return out


def prompt_keys(*, num_contexts: int, token_width: int, text_dim: int) -> Shapes:
    """The detector's/segmentor's own ``contexts`` and ``gamma``."""
    return {'contexts': (1, num_contexts, token_width), 'gamma': (text_dim,)}


def random_state_dict(shapes: Shapes, seed: int = 0) -> Dict[str, torch.Tensor]:
    """Random tensors of the given shapes (``num_batches_tracked`` as int64)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for key, shape in shapes.items():
        if key.endswith('num_batches_tracked'):
            out[key] = torch.tensor(7)
        elif key.endswith('running_var'):
            out[key] = torch.rand(shape, generator=g) + 0.5
        else:
            out[key] = torch.randn(shape, generator=g) * 0.2
    return out
