"""CLIP ModifiedResNet backbone with a dense attention-pool output."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from open_clip.modified_resnet import AttentionPool2d, ModifiedResNet
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from .loading import build_clip_tower, load_clip_tower, resize_pos_embed

_STAGES = ('layer1', 'layer2', 'layer3', 'layer4')
_POS_EMBED_MODES = ('interpolate', 'crop')
_DENSE_MODES = ('attention', 'value')


def attnpool_attention(pool: AttentionPool2d, query: Tensor, tokens: Tensor,
                       attn_mask: Optional[Tensor] = None) -> Tensor:
    """The attention of open_clip's ``AttentionPool2d`` with its own q/k/v/c weights, for any
    queries and an optional float mask added to the logits (which ``AttentionPool2d`` lacks).

    Args:
        pool (AttentionPool2d): the CLIP attention pool.
        query (Tensor): (Lq, B, C) query tokens, positional embedding added.
        tokens (Tensor): (L, B, C) key/value tokens, positional embedding added.
        attn_mask (Tensor, optional): (B*heads, Lq, L) float, added to the logits.

    Returns:
        Tensor: (Lq, B, D) outputs after ``c_proj``.
    """
    out, _ = F.multi_head_attention_forward(
        query=query, key=tokens, value=tokens,
        embed_dim_to_check=tokens.shape[-1], num_heads=pool.num_heads,
        q_proj_weight=pool.q_proj.weight, k_proj_weight=pool.k_proj.weight,
        v_proj_weight=pool.v_proj.weight, in_proj_weight=None,
        in_proj_bias=torch.cat([pool.q_proj.bias, pool.k_proj.bias, pool.v_proj.bias]),
        bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.,
        out_proj_weight=pool.c_proj.weight, out_proj_bias=pool.c_proj.bias,
        use_separate_proj_weight=True, training=False, need_weights=False,
        attn_mask=attn_mask)
    return out


@MODELS.register_module()
class CLIPResNet(BaseModule):
    """open_clip ModifiedResNet giving C2-C5 plus dense language-aligned embeddings.

    DenseCLIP (https://arxiv.org/abs/2112.01518), Sec. 3.2: the attention pool
    is run with every spatial position as a query, so besides the global image
    embedding it yields a (B, D, H/32, W/32) map in CLIP's joint space. Its
    positional embedding is fitted to the actual C5 grid: bilinearly
    interpolated (DenseCLIP segmentation) or cropped to its top-left H x W block
    (DenseCLIP detection, whose grid is the largest input's: 42 x 42 at 1344).

    With ``dense_mode='value'`` the dense map is MaskCLIP's instead (Zhou et al., ECCV
    2022, https://arxiv.org/abs/2112.01071, Sec. 3.2): each C5 position goes through the
    pool's value and output projections alone, without the query-key attention that
    mixes every position with the whole image; the global embedding is unchanged.

    ``forward(): visual.forward_intermediates() -> [_dense_attnpool()]``

    Args:
        model_name (str): open_clip ResNet architecture, e.g. ``'RN50-quickgelu'``.
        pretrained (str, optional): open_clip tag or local file, loaded by
            :meth:`init_weights`. Defaults to None (random weights).
        image_size (int, optional): native input size; sets the attention-pool
            grid (``image_size // 32``) that checkpoints are resized to.
            Defaults to None (the architecture's, 224 for RN50).
        out_indices (Sequence[int]): which of C2..C5 (0..3) to return.
            Defaults to (0, 1, 2, 3).
        with_embeddings (bool): append ``(global, dense)`` as a last output.
            Defaults to False.
        frozen_stages (int): -1 freezes nothing, 0 the stem, i the stem and
            ``layer1``..``layer{i}`` (up to 4). Defaults to -1.
        norm_eval (bool): keep every BatchNorm in eval mode while training.
            Defaults to False.
        freeze_all (bool): freeze the whole tower, attention pool included.
            Defaults to False.
        pos_embed_mode (str): how the attention pool's s x s positional grid
            (s = ``image_size // 32``) meets an H x W C5 grid: ``'interpolate'``
            (bilinear, as DenseCLIP's segmentation code) or ``'crop'`` (the
            top-left H x W block, as DenseCLIP's detection code; H, W <= s).
            Defaults to ``'interpolate'``.
        dense_mode (str): ``'attention'`` (DenseCLIP: every position a query of the
            attention pool) or ``'value'`` (MaskCLIP: value and output projections per
            position, no positional embedding). Defaults to ``'attention'``.
        cache_dir (str, optional): download cache for tags. Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> backbone = CLIPResNet(model_name='ovseg-tiny-rn', with_embeddings=True)
        >>> *levels, (global_emb, dense) = backbone(torch.rand(2, 3, 64, 96))
        >>> [tuple(x.shape[1:]) for x in levels]
        [(32, 16, 24), (64, 8, 12), (128, 4, 6), (256, 2, 3)]
        >>> tuple(global_emb.shape), tuple(dense.shape)
        ((2, 32), (2, 32, 2, 3))
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 image_size: Optional[int] = None,
                 out_indices: Sequence[int] = (0, 1, 2, 3),
                 with_embeddings: bool = False, frozen_stages: int = -1,
                 norm_eval: bool = False, freeze_all: bool = False,
                 pos_embed_mode: str = 'interpolate', dense_mode: str = 'attention',
                 cache_dir: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.visual = build_clip_tower(model_name, 'visual', image_size=image_size)
        if not isinstance(self.visual, ModifiedResNet):
            raise ValueError(f"'{model_name}' is not a ModifiedResNet CLIP; use CLIPViT "
                             f'for {type(self.visual).__name__} image towers.')
        if not set(out_indices) <= {0, 1, 2, 3}:
            raise ValueError(f'out_indices must be in 0..3 (C2..C5), got {out_indices}')
        if pos_embed_mode not in _POS_EMBED_MODES:
            raise ValueError(f'pos_embed_mode must be one of {_POS_EMBED_MODES}, '
                             f'not {pos_embed_mode!r}')
        if dense_mode not in _DENSE_MODES:
            raise ValueError(f'dense_mode must be one of {_DENSE_MODES}, not {dense_mode!r}')
        if not -1 <= frozen_stages <= 4:
            raise ValueError(f'frozen_stages must be in -1..4, got {frozen_stages}')
        self.model_name = model_name
        self.pretrained = pretrained
        self.cache_dir = cache_dir
        self.out_indices = tuple(out_indices)
        self.with_embeddings = with_embeddings
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.freeze_all = freeze_all
        self.pos_embed_mode = pos_embed_mode
        self.dense_mode = dense_mode
        width = self.visual.layer1[0].conv1.in_channels
        self.out_channels = [width * 4 * 2 ** i for i in self.out_indices]
        self.embed_dim = self.visual.output_dim
        for module in self._frozen_modules():
            module.requires_grad_(False)

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load ``pretrained`` into the tower."""
        super().init_weights()
        if self.pretrained is not None:
            load_clip_tower(self.visual, self.model_name, self.pretrained, 'visual',
                            cache_dir=self.cache_dir)

    def _frozen_modules(self) -> List[torch.nn.Module]:
        if self.freeze_all:
            return [self.visual]
        stem = [self.visual.conv1, self.visual.bn1, self.visual.conv2,
                self.visual.bn2, self.visual.conv3, self.visual.bn3]
        if self.frozen_stages < 0:
            return []
        return stem + [getattr(self.visual, name) for name in _STAGES[:self.frozen_stages]]

    def train(self, mode: bool = True) -> 'CLIPResNet':
        """Switch mode, keeping frozen parts (and BN with ``norm_eval``) in eval."""
        super().train(mode)
        if mode:
            for module in self._frozen_modules():
                module.eval()
            if self.norm_eval:
                for module in self.modules():
                    if isinstance(module, _BatchNorm):
                        module.eval()
        return self

    def _fit_pos_embed(self, pos: Tensor, height: int, width: int) -> Tensor:
        """Attention-pool positions (1 + s*s, C) fitted to an H x W grid: (1 + H*W, C)."""
        side = self.visual.image_size // 32
        if self.pos_embed_mode == 'interpolate':
            return resize_pos_embed(pos, (side, side), (height, width))
        if height > side or width > side:
            raise ValueError(f"pos_embed_mode='crop' needs a C5 grid within the "
                             f'{side}x{side} positional grid (image_size={self.visual.image_size}'
                             f'), got {height}x{width}: raise image_size or use '
                             f"pos_embed_mode='interpolate'")
        grid = pos[1:].reshape(side, side, -1)[:height, :width]  # (H, W, C)
        return torch.cat([pos[:1], grid.reshape(height * width, -1)], dim=0)  # (1+H*W, C)

    def _dense_attnpool(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Attention pool with every C5 position as a query.

        Args:
            x (Tensor): C5 features (B, C, H, W).

        Returns:
            tuple[Tensor, Tensor]: global embedding (B, D), equal to open_clip's
            ``AttentionPool2d`` output, and dense embeddings (B, D, H, W).
        """
        pool = self.visual.attnpool
        batch, _, height, width = x.shape
        tokens = x.flatten(2).permute(2, 0, 1)  # (H*W, B, C)
        tokens = torch.cat([tokens.mean(dim=0, keepdim=True), tokens], dim=0)  # (1+H*W, B, C)
        pos = self._fit_pos_embed(pool.positional_embedding, height, width)
        tokens = tokens + pos[:, None, :].to(tokens.dtype)
        if self.dense_mode == 'value':  # MaskCLIP: only the global token attends
            global_feat = attnpool_attention(pool, tokens[:1], tokens)[0]  # (B, D)
            value = pool.c_proj(pool.v_proj(x.flatten(2).transpose(1, 2)))  # (B, H*W, D)
            return global_feat, value.transpose(1, 2).reshape(batch, -1, height, width)
        out = attnpool_attention(pool, tokens, tokens)
        dense = out[1:].permute(1, 2, 0).reshape(batch, -1, height, width)  # (B, D, H, W)
        return out[0], dense

    def forward(self, x: Tensor) -> Tuple[Union[Tensor, Tuple[Tensor, Tensor]], ...]:
        """Extract multi-level features and, optionally, CLIP embeddings.

        Args:
            x (Tensor): images (B, 3, H, W), CLIP-normalised, any size >= 32.

        Returns:
            tuple: for each ``out_indices`` entry i, C(i+2) of shape
            (B, 4*width*2^i, H_i, W_i) at stride 4*2^i (sizes rounded down by
            the average pools). With ``with_embeddings``, one more element
            ``(global (B, D), dense (B, D, H_5, W_5))``, not normalised; at the
            native size ``global`` equals ``CLIP.encode_image``.
        """
        needed = set(self.out_indices) | ({3} if self.with_embeddings else set())
        levels = self.visual.forward_intermediates(
            x, indices=[i + 1 for i in sorted(needed)],
            intermediates_only=True)['image_intermediates']
        by_index = dict(zip(sorted(needed), levels))
        outs = [by_index[i] for i in self.out_indices]
        if self.with_embeddings:
            outs.append(self._dense_attnpool(by_index[3]))
        return tuple(outs)
