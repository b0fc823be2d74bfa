"""CLIP ViT with mask prompt tuning (OVSeg MPT)."""
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import Tensor, nn

from ..clip import (CLIPViT, load_clip_weights, read_clip_checkpoint, resize_pos_embed,
                    resolve_pretrained, select_tower)
from .checkpoint import MASK_EMBEDDING_KEY

_PROMPT_INITS = ('zeros', 'normal')


def patch_keep_mask(region_masks: Tensor, patch_size: int) -> Tensor:
    """Which patch tokens see any foreground: ``ceil(avgpool(mask, p))``.

    OVSeg mask prompt tuning replaces only the patches that are entirely background; a
    boundary patch keeps its real token.

    Args:
        region_masks (Tensor): (N, S, S) float {0, 1} region masks.
        patch_size (int): ViT patch size p.

    Returns:
        Tensor: (N, S/p * S/p, 1) float {0, 1}, 1 = keep the token, row-major like
        the flattened ``conv1`` grid.
    """
    pooled = F.avg_pool2d(region_masks[:, None].float(), kernel_size=patch_size,
                          stride=patch_size)  # (N, 1, h, w)
    return torch.ceil(pooled).flatten(1)[..., None]  # (N, h*w, 1)


@MODELS.register_module()
class MaskPromptViT(CLIPViT):
    """open_clip ViT image tower whose blank patch tokens are replaced by learnt prompts.

    OVSeg (https://arxiv.org/abs/2210.04150), mask prompt tuning, Sec. 3.3: a masked crop
    has many patches that are entirely background (mean fill, a zero token). Learnable
    ``mask_embedding`` P (depth, N_p, C) replaces them, per position, at the first
    ``prompt_depth`` layers:

    - d = 0: after ``conv1``, before the class token and positional embedding;
    - d >= 1: on the residual stream after block d, patch tokens only;

    ``x = x * m + P[d] * (1 - m)`` with ``m = ceil(avgpool(mask, p))`` (1 where a patch
    sees any foreground). The class token is never replaced; deep prompts get no positional
    embedding. With P[0] = 0 and depth 1 this equals plain mean fill.

    ``encode_masked(): conv1 -> [prompt 0] -> +cls, +pos -> ln_pre -> blocks
    (-> [prompt d]) -> ln_post(cls) -> proj``; ``forward()`` is :class:`CLIPViT`'s (dense
    embeddings for the single-pass mode, no prompts).

    Weights (:meth:`init_weights`) come from an open_clip/OpenAI CLIP checkpoint, optionally
    with ``visual.mask_embedding``, or from OVSeg's released checkpoint layout
    (``clip_adapter.clip_model.*``), recognised by its keys.

    Args:
        model_name (str): open_clip class-token ViT, e.g. ``'ViT-B-16-quickgelu'``.
        pretrained (str, optional): open_clip tag or file. Defaults to None.
        prompt_depth (int): layers with prompts (0 disables them). Defaults to 3.
        num_prompts (int, optional): N_p, prompt positions: the token grid at the native
            image size (196 for ViT-B/16 at 224), or 1 (one prompt broadcast to every
            position). Defaults to None (the grid).
        use_mask_prompt (bool): replace blank tokens in :meth:`encode_masked` (OVSeg's
            ``MASK_PROMPT_FWD``). Defaults to True.
        prompt_init (str): ``'zeros'`` (equals mean fill, OVSeg inference) or ``'normal'``
            (std 0.02, OVSeg training). Defaults to ``'zeros'``.
        freeze_all (bool): freeze the whole tower; the prompts stay trainable (prompt
            tuning). Defaults to False.
        freeze_prompts (bool): freeze the prompts. Defaults to False.
        **kwargs: other :class:`CLIPViT` arguments (``image_size``, ``with_embeddings``,
            ``cache_dir``, ``init_cfg``...).

    Examples:
        >>> import torch
        >>> tower = MaskPromptViT(model_name='ovseg-tiny-vit', prompt_depth=2)
        >>> tuple(tower.mask_embedding.shape)
        (2, 16, 64)
        >>> crops, masks = torch.randn(3, 3, 32, 32), torch.ones(3, 32, 32)
        >>> tuple(tower.encode_masked(crops, masks).shape)
        (3, 32)
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 prompt_depth: int = 3, num_prompts: Optional[int] = None,
                 use_mask_prompt: bool = True, prompt_init: str = 'zeros',
                 freeze_all: bool = False, freeze_prompts: bool = False, **kwargs) -> None:
        super().__init__(model_name=model_name, pretrained=pretrained, freeze_all=freeze_all,
                         **kwargs)
        num_blocks = len(self.visual.transformer.resblocks)
        if not 0 <= prompt_depth <= num_blocks:
            raise ValueError(f'prompt_depth must be in 0..{num_blocks}, got {prompt_depth}')
        if prompt_init not in _PROMPT_INITS:
            raise ValueError(f'prompt_init must be one of {_PROMPT_INITS}, not {prompt_init!r}')
        grid = self.visual.grid_size
        num_prompts = grid[0] * grid[1] if num_prompts is None else num_prompts
        if num_prompts not in (1, grid[0] * grid[1]):
            raise ValueError(f'num_prompts must be 1 or the {grid[0]}x{grid[1]} token grid, '
                             f'got {num_prompts}')
        self.prompt_depth = prompt_depth
        self.use_mask_prompt = use_mask_prompt
        self.prompt_init = prompt_init
        width = self.visual.conv1.out_channels
        self.mask_embedding = nn.Parameter(torch.zeros(prompt_depth, num_prompts, width))
        self._init_prompts()
        if freeze_prompts:
            self.mask_embedding.requires_grad_(False)

    def _init_prompts(self) -> None:
        if self.prompt_init == 'normal':
            nn.init.normal_(self.mask_embedding, std=0.02)
        else:
            nn.init.zeros_(self.mask_embedding)

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load ``pretrained`` into the tower and the prompts.

        A checkpoint without ``visual.mask_embedding`` leaves the prompts at their
        initialisation; one with prompts of another grid is resized bilinearly.
        """
        BaseModule.init_weights(self)
        if self.pretrained is None:
            return
        path = resolve_pretrained(self.model_name, self.pretrained, cache_dir=self.cache_dir)
        state_dict = read_clip_checkpoint(path)  # OVSeg's layout converted by its sentinels
        visual = select_tower(state_dict, 'visual')
        prompts = visual.pop(MASK_EMBEDDING_KEY, None)
        load_clip_weights(self.visual, visual, source=path)
        if prompts is not None:
            self.load_prompts(prompts)

    def load_prompts(self, prompts: Tensor) -> None:
        """Copy prompts (depth, N, C) in, resizing their grid if needed.

        Raises:
            ValueError: depth or width differ from this tower's.
        """
        own = self.mask_embedding
        if prompts.dim() != 3 or prompts.shape[0] != own.shape[0] or prompts.shape[2] != own.shape[2]:
            raise ValueError(f'mask_embedding {tuple(prompts.shape)} does not fit the tower\'s '
                             f'{tuple(own.shape)} (depth, positions, width)')
        if prompts.shape[1] != own.shape[1]:
            prompts = self._resize_prompts(prompts, self.visual.grid_size, num=own.shape[1])
        with torch.no_grad():
            own.copy_(prompts)

    @staticmethod
    def _resize_prompts(prompts: Tensor, grid: Tuple[int, int], *, num: int) -> Tensor:
        """(depth, N, C) prompts -> (depth, num, C), broadcasting N=1 or resizing the grid."""
        if prompts.shape[1] == 1 or num == 1:
            return prompts.mean(dim=1, keepdim=True).expand(-1, num, -1)
        side = int(round(prompts.shape[1] ** 0.5))
        if side * side != prompts.shape[1]:
            raise ValueError(f'cannot resize {prompts.shape[1]} prompt positions to {grid}')
        return torch.stack([resize_pos_embed(p, (side, side), grid, num_prefix_tokens=0)
                            for p in prompts])

    def _prompts_for(self, grid: Tuple[int, int]) -> Tensor:
        """Prompts (depth, h*w or 1, C) for a token grid of ``grid``."""
        prompts = self.mask_embedding
        if prompts.shape[1] == 1 or tuple(grid) == tuple(self.visual.grid_size):
            return prompts
        side = self.visual.grid_size
        return torch.stack([resize_pos_embed(p, side, grid, num_prefix_tokens=0)
                            for p in prompts])

    def encode_masked(self, x: Tensor, region_masks: Optional[Tensor] = None) -> Tensor:
        """Global embeddings of masked crops, with mask prompts.

        Args:
            x (Tensor): (N, 3, S, S') CLIP-normalised crops, 0 outside the region (mean fill).
            region_masks (Tensor, optional): (N, S, S') float {0, 1}; None (or
                ``use_mask_prompt=False``, or depth 0) runs plain CLIP. Defaults to None.

        Returns:
            Tensor: (N, D) image embeddings, not normalised; without prompts equal to
            ``CLIP.encode_image`` at the native size.
        """
        visual = self.visual
        tokens = visual.conv1(x)  # (N, C, h, w)
        grid = tokens.shape[-2:]
        tokens = tokens.flatten(2).transpose(1, 2)  # (N, L, C)
        prompts = keep = None
        if self.use_mask_prompt and self.prompt_depth > 0 and region_masks is not None:
            keep = patch_keep_mask(region_masks, self.patch_size).to(tokens.dtype)  # (N, L, 1)
            prompts = self._prompts_for(grid).to(tokens.dtype)  # (depth, L or 1, C)
            tokens = tokens * keep + prompts[0] * (1 - keep)
        cls = visual.class_embedding.to(tokens.dtype).expand(tokens.shape[0], 1, -1)
        pos = resize_pos_embed(visual.positional_embedding, visual.grid_size, grid)
        tokens = visual.ln_pre(torch.cat([cls, tokens], dim=1) + pos.to(tokens.dtype))  # (N, 1+L, C)
        batch_first = visual.transformer.batch_first
        if not batch_first:
            tokens = tokens.transpose(0, 1)  # (1+L, N, C)
        for depth in range(1, len(visual.transformer.resblocks) + 1):
            tokens = self._run_block(depth - 1, tokens)  # with CLIPViT's drop path
            if prompts is not None and depth < self.prompt_depth:
                tokens = _replace_patch_tokens(tokens, keep, prompts[depth], batch_first)
        cls_out = tokens[:, 0] if batch_first else tokens[0]  # (N, C)
        return visual.ln_post(cls_out) @ visual.proj  # (N, D)


    def forward_dense(self, x: Tensor, *, value_path: bool = False) -> Tensor:
        """Dense embeddings of whole images, for single-pass mask classification.

        Args:
            x (Tensor): (B, 3, H, W) CLIP-normalised images, H and W multiples of p.
            value_path (bool): replace the last block by its value path,
                ``out_proj(v(ln_1(x)))`` without attention, residual or MLP, as MaskCLIP
                (Zhou et al., https://arxiv.org/abs/2112.01071, Sec. 3.2); CLIP's last-layer
                patch tokens are otherwise poorly localised. Defaults to False (the patch
                tokens, as :class:`CLIPViT` ``with_embeddings``).

        Returns:
            Tensor: (B, D, H/p, W/p), not normalised.
        """
        if not value_path:
            return CLIPViT.forward(self, x)[-1][1]
        batch = x.shape[0]
        tokens, height, width = self._embed(x)  # (B, 1+h*w, C)
        transformer = self.visual.transformer
        *blocks, last = transformer.resblocks
        if not transformer.batch_first:
            tokens = tokens.transpose(0, 1)
        for index in range(len(blocks)):
            tokens = self._run_block(index, tokens)  # with CLIPViT's drop path
        if not transformer.batch_first:
            tokens = tokens.transpose(0, 1)
        attn = last.attn
        width_c = tokens.shape[-1]
        value = F.linear(last.ln_1(tokens), attn.in_proj_weight[2 * width_c:],
                         attn.in_proj_bias[2 * width_c:])  # (B, 1+h*w, C)
        tokens = self.visual.ln_post(attn.out_proj(value)) @ self.visual.proj  # (B, 1+h*w, D)
        return tokens[:, 1:].transpose(1, 2).reshape(batch, -1, height, width)  # (B, D, h, w)


def _replace_patch_tokens(tokens: Tensor, keep: Tensor, prompt: Tensor,
                          batch_first: bool) -> Tensor:
    """``x[1:] = x[1:] * m + P * (1 - m)`` on the non-class tokens.

    Args:
        tokens (Tensor): (N, 1+L, C), or (1+L, N, C) when not ``batch_first``.
        keep (Tensor): (N, L, 1) float {0, 1}.
        prompt (Tensor): (L or 1, C).
    """
    if not batch_first:
        tokens = tokens.transpose(0, 1)
    patches = tokens[:, 1:] * keep + prompt * (1 - keep)  # (N, L, C)
    tokens = torch.cat([tokens[:, :1], patches], dim=1)
    return tokens if batch_first else tokens.transpose(0, 1)


def masked_tower_embed(tower: Union[CLIPViT, nn.Module], crops: Tensor,
                       region_masks: Optional[Tensor]) -> Tensor:
    """Global embeddings (N, D) of crops from any ovseg CLIP image tower.

    :class:`MaskPromptViT` uses its prompts; other towers (``CLIPViT``, ``CLIPResNet``
    built ``with_embeddings=True``) give their global embedding of the mean-filled crop.
    """
    if isinstance(tower, MaskPromptViT):
        return tower.encode_masked(crops, region_masks)
    outputs = tower(crops)
    return outputs[-1][0]
