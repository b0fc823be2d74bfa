"""Vision-to-language context decoder of DenseCLIP (post-model prompting).

The text embeddings of the K class prompts attend to the visual context of each image
(the global embedding plus every dense embedding) and return a per-image update that the
segmentor adds as ``text + gamma * update``.
"""
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import Tensor


class _Attention(nn.Module):
    """Multi-head attention with bias-free q/k/v projections and a biased output projection.

    Args:
        dim (int): token width W.
        num_heads (int): heads; ``dim`` must divide by it.
        dropout (float): dropout after the output projection (no attention dropout).
    """

    def __init__(self, *, dim: int, num_heads: int, dropout: float) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'width {dim} is not divisible by {num_heads} heads')
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(dropout)

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        """Attend ``q`` (B, Lq, W) to ``k``/``v`` (B, Lk, W); returns (B, Lq, W)."""
        b, lq, w = q.shape
        lk = k.shape[1]
        h = self.num_heads
        q = self.q_proj(q).reshape(b, lq, h, w // h).transpose(1, 2)  # (B, h, Lq, W/h)
        k = self.k_proj(k).reshape(b, lk, h, w // h).transpose(1, 2)  # (B, h, Lk, W/h)
        v = self.v_proj(v).reshape(b, lk, h, w // h).transpose(1, 2)  # (B, h, Lk, W/h)
        attn = (q @ k.transpose(-2, -1)) * self.scale  # (B, h, Lq, Lk)
        out = attn.softmax(dim=-1) @ v  # (B, h, Lq, W/h)
        out = out.transpose(1, 2).reshape(b, lq, w)  # (B, Lq, W)
        return self.proj_drop(self.proj(out))


class _DecoderLayer(nn.Module):
    """Pre-norm decoder layer: self-attention, cross-attention to memory, MLP (4x, GELU).

    Args:
        dim (int): token width W.
        num_heads (int): attention heads.
        dropout (float): dropout of the attention output projections and the MLP.
    """

    def __init__(self, *, dim: int, num_heads: int, dropout: float) -> None:
        super().__init__()
        self.self_attn = _Attention(dim=dim, num_heads=num_heads, dropout=dropout)
        self.cross_attn = _Attention(dim=dim, num_heads=num_heads, dropout=dropout)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)
        self.mlp = nn.Sequential(
            nn.Linear(dim, dim * 4), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim * 4, dim))

    def forward(self, x: Tensor, mem: Tensor) -> Tensor:
        """Update queries ``x`` (B, K, W) from memory ``mem`` (B, N, W); returns (B, K, W)."""
        q = self.norm1(x)
        x = x + self.self_attn(q, q, q)
        q = self.norm2(x)
        x = x + self.cross_attn(q, mem, mem)
        x = x + self.dropout(self.mlp(self.norm3(x)))
        return x


@MODELS.register_module()
class ContextDecoder(BaseModule):
    """Transformer decoder that turns visual context into a text-embedding update.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: the
    vision-to-language prompting of Sec. 3.3 ("post-model prompting").

    Call graph: ``forward(text, visual)``: ``text_proj(text)``, ``memory_proj(visual)`` ->
    ``decoder`` layers (self-attn on text, cross-attn to memory, MLP) -> ``out_proj``.

    Weights are initialised in the constructor (linear weights: normal, std 0.02, truncated
    at the absolute +-2 of ``trunc_normal_``; zero biases; unit LayerNorms), so
    :meth:`init_weights` changes nothing.
    Parameter names follow the original (``memory_proj.{0,1,2}``, ``text_proj.{0,1}``,
    ``decoder.i.norm{1,2,3}``, ``out_proj.{0,1}``) so its checkpoints load unchanged and
    an optimizer rule keyed on ``norm`` picks the same LayerNorms.

    Args:
        visual_dim (int): width C of the text and visual embeddings (CLIP's joint width D).
        transformer_width (int): decoder token width W. Defaults to 256.
        transformer_heads (int): attention heads. Defaults to 4.
        transformer_layers (int): decoder layers (3 in every released DenseCLIP config,
            6 in its base config). Defaults to 3.
        dropout (float): dropout in the attention projections and MLP. Defaults to 0.1.

    Examples:
        >>> dec = ContextDecoder(visual_dim=32, transformer_width=16, transformer_heads=2,
        ...                      transformer_layers=1)
        >>> dec(torch.randn(2, 5, 32), torch.randn(2, 17, 32)).shape
        torch.Size([2, 5, 32])
    """

    def __init__(self, *, visual_dim: int, transformer_width: int = 256,
                 transformer_heads: int = 4, transformer_layers: int = 3,
                 dropout: float = 0.1, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        w = transformer_width
        self.memory_proj = nn.Sequential(
            nn.LayerNorm(visual_dim), nn.Linear(visual_dim, w), nn.LayerNorm(w))
        self.text_proj = nn.Sequential(nn.LayerNorm(visual_dim), nn.Linear(visual_dim, w))
        self.decoder = nn.ModuleList(
            _DecoderLayer(dim=w, num_heads=transformer_heads, dropout=dropout)
            for _ in range(transformer_layers))
        self.out_proj = nn.Sequential(nn.LayerNorm(w), nn.Linear(w, visual_dim))
        self.apply(self._init_module)

    @staticmethod
    def _init_module(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, text: Tensor, visual: Tensor) -> Tensor:
        """Compute the text update from the visual context.

        Args:
            text (Tensor): (B, K, C) text embeddings of the K prompts (not normalised).
            visual (Tensor): (B, N, C) visual context: the global embedding then the
                H*W dense embeddings (N = 1 + H*W).

        Returns:
            Tensor: (B, K, C) update (unscaled; the caller multiplies it by ``gamma``).
        """
        mem = self.memory_proj(visual)  # (B, N, W)
        x = self.text_proj(text)  # (B, K, W)
        for layer in self.decoder:
            x = layer(x, mem)
        return self.out_proj(x)  # (B, K, C)


def visual_context(global_feat: Tensor, dense_feat: Tensor) -> Tensor:
    """Stack the global embedding and the flattened dense map into one token sequence.

    Args:
        global_feat (Tensor): (B, D) global (attention-pooled or class-token) embedding.
        dense_feat (Tensor): (B, D, H, W) dense embeddings.

    Returns:
        Tensor: (B, 1 + H*W, D) tokens, the global one first.
    """
    tokens = dense_feat.flatten(2).transpose(1, 2)  # (B, H*W, D)
    return torch.cat([global_feat[:, None], tokens], dim=1)  # (B, 1 + H*W, D)
