"""CLIP VisionTransformer backbone with dense token embeddings."""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from open_clip.transformer import (CustomResidualAttentionBlock, ResidualAttentionBlock,
                                   VisionTransformer)
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.checkpoint import checkpoint

from .loading import build_clip_tower, load_clip_tower, resize_pos_embed

_PYRAMID_STRIDES = (4, 8, 16, 32)


def _pyramid_adapter(width: int, scale: float) -> nn.Sequential:
    """GroupNorm, then 2x deconvs (BN+GELU between), nothing, or a max pool.

    DenseCLIP ``fpn1``..``fpn4`` (https://arxiv.org/abs/2112.01518, Sec. 4.1,
    after BEiT), generalised to any power-of-two ``scale``; BN instead of
    SyncBN (configs convert it with ``sync_bn``).
    """
    layers: List[nn.Module] = [nn.GroupNorm(1, width)]
    if scale > 1:
        for i in range(int(math.log2(scale))):
            if i:
                layers += [nn.BatchNorm2d(width), nn.GELU()]
            layers.append(nn.ConvTranspose2d(width, width, kernel_size=2, stride=2))
    elif scale < 1:
        layers.append(nn.MaxPool2d(kernel_size=round(1 / scale), stride=round(1 / scale)))
    return nn.Sequential(*layers)


def _block_with_drop_path(block: nn.Module, x: Tensor, drop_path: DropPath) -> Tensor:
    """open_clip block forward with ``drop_path`` on both residual branches.

    ``x = x + drop_path(ls_1(attn(ln_1(x))))``, ``x = x + drop_path(ls_2(mlp(ln_2(x))))``:
    bit-for-bit ``ResidualAttentionBlock.forward`` (``CustomResidualAttentionBlock``:
    with ``ln_attn`` after ``attn``) when ``drop_path`` is inactive; self-attention,
    no mask.

    Args:
        block (nn.Module): an open_clip (Custom)ResidualAttentionBlock.
        x (Tensor): tokens (B, L, C), or (L, B, C) when not ``batch_first``.
        drop_path (DropPath): applied to each branch output, same shape as ``x``.

    Returns:
        Tensor: tokens, same shape as ``x``.
    """
    if isinstance(block, CustomResidualAttentionBlock):
        attn = block.ln_attn(block.attn(block.ln_1(x), attn_mask=None))
    else:
        attn = block.attention(q_x=block.ln_1(x), attn_mask=None)
    x = x + drop_path(block.ls_1(attn))
    return x + drop_path(block.ls_2(block.mlp(block.ln_2(x))))


@MODELS.register_module()
class CLIPViT(BaseModule):
    """open_clip VisionTransformer giving block features and dense embeddings.

    DenseCLIP (https://arxiv.org/abs/2112.01518), Sec. 3.2 and 4.1: patch
    tokens after chosen blocks become (B, C, H/p, W/p) maps, optionally
    resampled to strides 4/8/16/32; ``ln_post`` and ``proj`` applied to every
    token give dense embeddings in CLIP's joint space. The positional embedding
    is bilinearly interpolated to the actual (also non-square) token grid.

    ``forward(): conv1 -> +pos -> ln_pre -> _run_block() x N -> [adapters]
    -> [ln_post, proj]``, where ``_run_block()`` is the open_clip block, run
    branch by branch with drop path while that is active:
    ``x = x + drop_path(ls_1(attn(ln_1(x))))``, ``x = x + drop_path(ls_2(mlp(ln_2(x))))``.

    Stochastic depth (Huang et al., https://arxiv.org/abs/1603.09382, Sec. 3):
    in training mode each residual branch of block i is zeroed per sample with
    probability ``drop_path_rate * i / (N - 1)`` (the mmcv/timm linear rule) and
    otherwise scaled by ``1 / (1 - p)``; DenseCLIP's ViT-B/16 uses 0.1. In eval
    mode, or at rate 0, the output is exactly open_clip's.

    Args:
        model_name (str): open_clip ViT architecture, e.g. ``'ViT-B-16-quickgelu'``.
        pretrained (str, optional): open_clip tag or local file, loaded by
            :meth:`init_weights`. Defaults to None (random weights).
        image_size (int | tuple[int, int], optional): native input size; sets
            the positional grid checkpoints are resized to. Defaults to None
            (the architecture's).
        out_indices (Sequence[int]): transformer blocks whose output is
            returned, negative from the end. Defaults to (-1,).
        pyramid (bool): resample the (exactly four) outputs to strides
            4/8/16/32. Defaults to False.
        with_embeddings (bool): append ``(global, dense)`` as a last output.
            Defaults to False.
        class_embedding_twice (bool): add ``class_embedding`` to the class
            position's positional embedding as well, reproducing the original
            DenseCLIP code (issue #20) when training from CLIP weights. Not for
            checkpoints converted by ``tools/convert/denseclip.py``: the
            converter folds that addition into the positional embedding.
            Defaults to False.
        frozen_stages (int): -1 freezes nothing, 0 the patch embedding
            (``conv1``, class and positional embeddings, ``ln_pre``), i also
            the first i blocks. Defaults to -1.
        norm_eval (bool): keep the adapters' BatchNorms in eval mode while
            training. Defaults to False.
        drop_path_rate (float): stochastic depth rate of the last block; block
            i of N gets ``drop_path_rate * i / (N - 1)`` (``mmcv.cnn.bricks.DropPath``
            on the attention and MLP branches, training mode only), as
            DenseCLIP's ``CLIPVisionTransformer``. Blocks run with active drop
            path bypass their own ``__call__`` (forward hooks on them do not
            fire); subclasses that loop over blocks themselves call
            ``_run_block(i, x)`` to get it. Defaults to 0.0.
        freeze_all (bool): freeze the whole tower (adapters stay trainable).
            Defaults to False.
        cache_dir (str, optional): download cache for tags. Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> backbone = CLIPViT(model_name='ovseg-tiny-vit', out_indices=(0, 1),
        ...                    with_embeddings=True)
        >>> block0, block1, (global_emb, dense) = backbone(torch.rand(2, 3, 40, 56))
        >>> tuple(block1.shape), tuple(global_emb.shape), tuple(dense.shape)
        ((2, 64, 5, 7), (2, 32), (2, 32, 5, 7))
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 image_size: Optional[Union[int, Tuple[int, int]]] = None,
                 out_indices: Sequence[int] = (-1,), pyramid: bool = False,
                 with_embeddings: bool = False, class_embedding_twice: bool = False,
                 frozen_stages: int = -1, norm_eval: bool = False,
                 drop_path_rate: float = 0.0, freeze_all: bool = False,
                 cache_dir: Optional[str] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.visual = build_clip_tower(model_name, 'visual', image_size=image_size)
        if not isinstance(self.visual, VisionTransformer):
            raise ValueError(f"'{model_name}' is not a VisionTransformer CLIP; use "
                             f'CLIPResNet for {type(self.visual).__name__} image towers.')
        if with_embeddings and (self.visual.attn_pool is not None or self.visual.pool_type != 'tok'
                                or self.visual.final_ln_after_pool):
            raise ValueError(f"dense embeddings need a class-token ViT; '{model_name}' pools "
                             f'with {self.visual.pool_type!r}/attentional pooling.')
        num_blocks = len(self.visual.transformer.resblocks)
        self.out_indices = tuple(i + num_blocks if i < 0 else i for i in out_indices)
        if not all(0 <= i < num_blocks for i in self.out_indices):
            raise ValueError(f'out_indices {tuple(out_indices)} out of range for '
                             f'{num_blocks} blocks')
        if not -1 <= frozen_stages <= num_blocks:
            raise ValueError(f'frozen_stages must be in -1..{num_blocks}, got {frozen_stages}')
        if not 0.0 <= drop_path_rate < 1.0:
            raise ValueError(f'drop_path_rate must be in [0, 1), got {drop_path_rate}')
        for block in self.visual.transformer.resblocks:
            if type(block) not in (ResidualAttentionBlock, CustomResidualAttentionBlock):
                raise TypeError(f'unsupported open_clip block {type(block).__name__}')
        self.model_name = model_name
        self.pretrained = pretrained
        self.cache_dir = cache_dir
        self.with_embeddings = with_embeddings
        self.class_embedding_twice = class_embedding_twice
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.drop_path_rate = drop_path_rate
        self.freeze_all = freeze_all
        # Parameter-free, so state-dict keys stay open_clip's.
        self.drop_paths = nn.ModuleList(
            DropPath(drop_path_rate * i / max(num_blocks - 1, 1)) for i in range(num_blocks))
        self.patch_size = self.visual.patch_size[0]
        self.embed_dim = self.visual.output_dim
        width = self.visual.conv1.out_channels
        self.out_channels = [width] * len(self.out_indices)
        self.adapters = self._build_adapters(width) if pyramid else None
        self._freeze()

    def _build_adapters(self, width: int) -> nn.ModuleList:
        patch_h, patch_w = self.visual.patch_size
        if len(self.out_indices) != 4 or patch_h != patch_w or patch_h & (patch_h - 1):
            raise ValueError('pyramid=True needs four out_indices and a square '
                             f'power-of-two patch, got {self.out_indices} and '
                             f'{self.visual.patch_size}')
        return nn.ModuleList(_pyramid_adapter(width, patch_h / stride)
                             for stride in _PYRAMID_STRIDES)

    def _freeze(self) -> None:
        visual = self.visual
        if self.freeze_all:
            visual.requires_grad_(False)
        elif self.frozen_stages >= 0:
            for param in (visual.class_embedding, visual.positional_embedding):
                param.requires_grad_(False)
            for module in (visual.conv1, visual.ln_pre,
                           *visual.transformer.resblocks[:self.frozen_stages]):
                module.requires_grad_(False)

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load ``pretrained`` into the tower."""
        super().init_weights()
        if self.pretrained is not None:
            load_clip_tower(self.visual, self.model_name, self.pretrained, 'visual',
                            cache_dir=self.cache_dir)

    def train(self, mode: bool = True) -> 'CLIPViT':
        """Switch mode, keeping BatchNorms in eval with ``norm_eval``."""
        super().train(mode)
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self

    def _embed(self, x: Tensor) -> Tuple[Tensor, int, int]:
        """Patchify, prepend the class token, add positions, ``ln_pre``.

        Returns:
            tuple: tokens (B, 1+h*w, C) and the grid size h, w.
        """
        visual = self.visual
        x = visual.conv1(x)  # (B, C, h, w)
        height, width = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)  # (B, h*w, C)
        cls = visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1)  # (B, 1+h*w, C)
        pos = resize_pos_embed(visual.positional_embedding, visual.grid_size, (height, width))
        if self.class_embedding_twice:
            pos = torch.cat([pos[:1] + visual.class_embedding, pos[1:]], dim=0)
        return visual.ln_pre(x + pos.to(x.dtype)), height, width

    def _run_block(self, index: int, x: Tensor) -> Tensor:
        """Block ``index``, with drop path while it is active.

        Inactive drop path (eval mode, or rate 0 as for block 0) calls the
        block itself, so its forward hooks fire; active, the two branches run
        explicitly (:func:`_block_with_drop_path`).

        Args:
            index (int): block index i in 0..N-1.
            x (Tensor): tokens (B, L, C), or (L, B, C) when the transformer is
                not ``batch_first``.

        Returns:
            Tensor: tokens, same shape as ``x``.
        """
        block = self.visual.transformer.resblocks[index]
        drop_path = self.drop_paths[index]
        if drop_path.training and drop_path.drop_prob > 0:
            return _block_with_drop_path(block, x, drop_path)
        return block(x)

    def _run_blocks(self, x: Tensor, indices: Sequence[int],
                    stop_early: bool) -> Tuple[Tensor, List[Tensor]]:
        """Run the blocks, as open_clip ``Transformer.forward_intermediates``.

        Args:
            x (Tensor): tokens (B, L, C).
            indices (Sequence[int]): sorted blocks whose outputs are kept.
            stop_early (bool): skip the blocks after the last of ``indices``.

        Returns:
            tuple: last tokens (B, L, C) and per index the tokens (B, L, C)
            after that block.
        """
        transformer = self.visual.transformer
        num_blocks = max(indices) + 1 if stop_early else len(transformer.resblocks)
        if not transformer.batch_first:
            x = x.transpose(0, 1).contiguous()  # (L, B, C)
        intermediates = []
        for i in range(num_blocks):
            if transformer.grad_checkpointing:
                x = checkpoint(self._run_block, i, x, use_reentrant=False)
            else:
                x = self._run_block(i, x)
            if i in indices:
                intermediates.append(x if transformer.batch_first else x.transpose(0, 1))
        if not transformer.batch_first:
            x = x.transpose(0, 1)  # (B, L, C)
        return x, intermediates

    def forward(self, x: Tensor) -> Tuple[Union[Tensor, Tuple[Tensor, Tensor]], ...]:
        """Extract block features and, optionally, CLIP embeddings.

        Args:
            x (Tensor): images (B, 3, H, W), CLIP-normalised; H, W need not be
                multiples of the patch size p (the remainder is dropped).
                open_clip's patch dropout is never applied: dense outputs need
                every token.

        Returns:
            tuple: per ``out_indices`` entry a (B, C, H/p, W/p) map, or with
            ``pyramid`` maps at strides 4, 8, 16, 32. With ``with_embeddings``,
            one more element ``(global (B, D), dense (B, D, H/p, W/p))``, not
            normalised; at the native size ``global`` equals ``CLIP.encode_image``.
        """
        batch = x.shape[0]
        x, height, width = self._embed(x)
        x, blocks = self._run_blocks(x, sorted(set(self.out_indices)),
                                     stop_early=not self.with_embeddings)
        by_index = dict(zip(sorted(set(self.out_indices)), blocks))
        outs = [by_index[i][:, 1:].transpose(1, 2).reshape(batch, -1, height, width)  # (B, C, h, w)
                for i in self.out_indices]
        if self.adapters is not None:
            outs = [adapter(feat) for adapter, feat in zip(self.adapters, outs)]
        if self.with_embeddings:
            tokens = self.visual.ln_post(x) @ self.visual.proj  # (B, 1+h*w, D)
            dense = tokens[:, 1:].transpose(1, 2).reshape(batch, -1, height, width)  # (B, D, h, w)
            outs.append((tokens[:, 0], dense))
        return tuple(outs)
