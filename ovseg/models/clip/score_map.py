"""Pixel-text score map: cosine similarity of dense image embeddings and text embeddings."""
import torch
import torch.nn.functional as F
from torch import Tensor


def pixel_text_score(dense: Tensor, text: Tensor) -> Tensor:
    """Cosine similarity between every pixel embedding and every class text embedding.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: Eq. (4), Sec. 3.2
    (``s = z_hat t_hat^T`` with both L2-normalised; no temperature).

    Args:
        dense (Tensor): (B, D, H, W) dense embeddings.
        text (Tensor): (B, K, D) per-image text embeddings, or (K, D) shared by the batch.

    Returns:
        Tensor: (B, K, H, W) cosines in [-1, 1].

    Examples:
        >>> s = pixel_text_score(torch.randn(2, 8, 4, 4), torch.randn(3, 8))
        >>> s.shape, bool(s.abs().max() <= 1 + 1e-6)
        (torch.Size([2, 3, 4, 4]), True)
    """
    dense = F.normalize(dense, dim=1)
    text = F.normalize(text, dim=-1)
    if text.dim() == 2:
        return torch.einsum('bdhw,kd->bkhw', dense, text)  # (B, K, H, W)
    return torch.einsum('bdhw,bkd->bkhw', dense, text)  # (B, K, H, W)
