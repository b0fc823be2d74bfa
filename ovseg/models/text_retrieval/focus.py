"""FDP's Focus: text score map on C5, text-biased attention pool, "scene text" probing.

FDP, "Focus, Distinguish, and Prompt: Unleashing CLIP for Efficient and Flexible Scene Text
Retrieval" (ACM MM 2024, https://arxiv.org/abs/2408.00441), Sec. 3.1 (Eqs. 1-4).
"""
from typing import Tuple

import torch
from open_clip.modified_resnet import AttentionPool2d
from torch import Tensor, nn

from ..clip.loading import resize_pos_embed
from ..clip.resnet import attnpool_attention


def attnpool_value_convs(pool: AttentionPool2d) -> Tuple[nn.Conv2d, nn.Conv2d]:
    """The attention pool's value and output projections as 1x1 convs (MaskCLIP-style).

    FDP's "reformulated CLIP" (Sec. 3.1) ships these as a separate file; here they are
    converted in code from any open_clip ``AttentionPool2d``: ``v(x) = W_v x + b_v`` and
    ``c(v) = W_c v + b_c`` applied at every pixel, so ``c_conv(v_conv(x))[:, :, i, j]`` equals
    ``pool.c_proj(pool.v_proj(x[:, :, i, j]))``.

    Returns:
        tuple[nn.Conv2d, nn.Conv2d]: (C -> C) value conv and (C -> D) output conv, fresh
        trainable copies (the pool itself is untouched).
    """
    convs = []
    for linear in (pool.v_proj, pool.c_proj):
        conv = nn.Conv2d(linear.in_features, linear.out_features, 1)
        with torch.no_grad():
            conv.weight.copy_(linear.weight[:, :, None, None])
            conv.bias.copy_(linear.bias)
        convs.append(conv)
    return convs[0], convs[1]


class TextScoreHead(nn.Module):
    """Text score map S from C5: 1x1 value conv -> 1x1 output conv -> 1x1 ``binarize``.

    FDP Sec. 3.1, Eq. (1): ``S = binarize(c(v(F5)))``, logits, supervised with balanced BCE
    against shrunk text kernels (:class:`BalancedBCELoss`). ``v_proj`` / ``c_proj`` start as
    the attention pool's projections (:meth:`init_from_pool`).

    Args:
        in_channels (int): C, the C5 width. Defaults to 2048.
        embed_dim (int): D, CLIP's joint embedding width. Defaults to 1024.

    Examples:
        >>> head = TextScoreHead(in_channels=16, embed_dim=8)
        >>> head(torch.rand(2, 16, 5, 5)).shape
        torch.Size([2, 1, 5, 5])
    """

    def __init__(self, *, in_channels: int = 2048, embed_dim: int = 1024) -> None:
        super().__init__()
        self.v_proj = nn.Conv2d(in_channels, in_channels, 1)
        self.c_proj = nn.Conv2d(in_channels, embed_dim, 1)
        self.binarize = nn.Conv2d(embed_dim, 1, 1)

    def init_from_pool(self, pool: AttentionPool2d) -> None:
        """Copy the pool's value / output projections into ``v_proj`` / ``c_proj``."""
        v_conv, c_conv = attnpool_value_convs(pool)
        self.v_proj.load_state_dict(v_conv.state_dict())
        self.c_proj.load_state_dict(c_conv.state_dict())

    def forward(self, c5: Tensor) -> Tensor:
        """C5 (B, C, H, W) -> score-map logits S (B, 1, H, W)."""
        return self.binarize(self.c_proj(self.v_proj(c5)))


class MaskedAttentionPool(nn.Module):
    """CLIP's attention pool re-run with the text score map as an additive attention bias.

    FDP Sec. 3.1, Eq. (2): the mean token queries ``[mean, F5 pixels] + P`` with logits
    ``q k^T / sqrt(d) + M``, ``M = [1, sigmoid(S)]`` (PyTorch adds float masks to the logits:
    a bias in [0, 1] towards text pixels, not a gate). q/k/v/c are the frozen CLIP pool's;
    the positional embedding P is this module's own, initialised by interpolating the pool's
    to the H x W grid (:meth:`init_from_pool`) and learnable.

    Args:
        num_channels (int): C. Defaults to 2048.
        grid_size (tuple[int, int]): (H, W) of C5 at the training input size.
            Defaults to (20, 20) (640 px, as FDP).
    """

    def __init__(self, *, num_channels: int = 2048,
                 grid_size: Tuple[int, int] = (20, 20)) -> None:
        super().__init__()
        self.grid_size = tuple(grid_size)
        self.positional_embedding = nn.Parameter(
            torch.zeros(1 + self.grid_size[0] * self.grid_size[1], num_channels))

    def init_from_pool(self, pool: AttentionPool2d) -> None:
        """Interpolate the pool's (1 + s*s, C) positional embedding to (1 + H*W, C)."""
        side = round((pool.positional_embedding.shape[0] - 1) ** 0.5)
        with torch.no_grad():
            self.positional_embedding.copy_(resize_pos_embed(
                pool.positional_embedding, (side, side), self.grid_size))

    def forward(self, c5: Tensor, score_logits: Tensor, pool: AttentionPool2d) -> Tensor:
        """Pool C5 with the text bias.

        Args:
            c5 (Tensor): (B, C, H, W) features.
            score_logits (Tensor): (B, 1, H, W) text score map S (logits), or None for no bias.
            pool (AttentionPool2d): the CLIP pool whose q/k/v/c weights are used.

        Returns:
            Tensor: (B, D) pooled image embedding, not normalised. With a zero bias and the
            pool's own positional embedding this is ``pool(c5)``.
        """
        batch, _, height, width = c5.shape
        tokens = c5.flatten(2).permute(2, 0, 1)  # (H*W, B, C)
        tokens = torch.cat([tokens.mean(dim=0, keepdim=True), tokens], dim=0)  # (1+H*W, B, C)
        pos = self.positional_embedding
        if (height, width) != self.grid_size:
            pos = resize_pos_embed(pos, self.grid_size, (height, width))
        tokens = tokens + pos[:, None, :].to(tokens.dtype)
        mask = None
        if score_logits is not None:
            bias = torch.sigmoid(score_logits.flatten(1))  # (B, H*W)
            bias = torch.cat([bias.new_ones(batch, 1), bias], dim=1)  # (B, 1+H*W)
            mask = bias.repeat_interleave(pool.num_heads, dim=0)[:, None, :]  # (B*h, 1, 1+H*W)
            mask = mask.to(tokens.dtype)
        out = attnpool_attention(pool, tokens[:1], tokens, mask)  # (1, B, D)
        return out[0]  # (B, D)


class SceneTextProbe(nn.Module):
    """Hidden text-knowledge probing: the pooled feature attends to CLIP's "scene text".

    FDP Sec. 3.1, Eq. (4): ``g' = LN(g + MHCA(q=g, k=v=t_probe))`` with ``t_probe`` the
    CLIP text embedding of the fixed prompt "scene text". With one key the attention weight
    is 1, so the term is a learned, image-independent offset before the LayerNorm; it is
    kept in attention form to match the paper.

    Args:
        embed_dim (int): D. Defaults to 1024.
        num_heads (int): heads of the cross-attention. Defaults to 8.
        dropout (float): attention dropout. Defaults to 0.1.

    Examples:
        >>> probe = SceneTextProbe(embed_dim=32, num_heads=4)
        >>> probe(torch.rand(2, 32), torch.rand(32)).shape
        torch.Size([2, 32])
    """

    def __init__(self, *, embed_dim: int = 1024, num_heads: int = 8,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout,
                                          batch_first=True)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, image: Tensor, probe: Tensor) -> Tensor:
        """Image features (B, D) and the probe embedding (D,) -> (B, D), not normalised."""
        query = image[:, None, :]  # (B, 1, D)
        key = probe.to(image.dtype)[None, None, :].expand(image.shape[0], 1, -1)  # (B, 1, D)
        attended, _ = self.attn(query, key, key, need_weights=False)
        return self.norm(image + attended[:, 0])
