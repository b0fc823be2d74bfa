"""Single-pass mask classification: pool one dense CLIP map under every mask.

Our alternative to OVSeg's crop mode (https://arxiv.org/abs/2210.04150, Sec. 3.1), which
runs CLIP once per proposal: the image goes through CLIP once, giving language-aligned
dense embeddings (a ViT's projected patch tokens, or a ResNet's attention pool applied at
every position, as in DenseCLIP/MaskCLIP); each mask's embedding is the mask-weighted mean
of the L2-normalised dense embeddings under it.
"""
import torch.nn.functional as F
from torch import Tensor


def mask_pool(dense: Tensor, masks: Tensor, *, stride: int) -> Tensor:
    """Mask-weighted average of L2-normalised dense embeddings.

    Args:
        dense (Tensor): (D, h, w) dense embeddings of one image (not normalised), at
            ``stride`` pixels per position.
        masks (Tensor): (Q, H, W) masks in [0, 1] with H <= h * stride, W <= w * stride
            (zero-padded at the bottom/right to the dense grid).
        stride (int): pixels per dense position (ViT patch size, 32 for a ResNet).

    Returns:
        Tensor: (Q, D) region embeddings, L2-normalised over D; a mask covering no
        position gives a zero row.

    Examples:
        >>> import torch
        >>> dense = torch.randn(8, 4, 6)
        >>> masks = torch.zeros(2, 60, 90); masks[0, :30] = 1
        >>> tuple(mask_pool(dense, masks, stride=16).shape)
        (2, 8)
    """
    height, width = dense.shape[-2:]
    masks = F.pad(masks.to(dense.dtype),
                  (0, width * stride - masks.shape[-1], 0, height * stride - masks.shape[-2]))
    weights = F.avg_pool2d(masks[:, None], kernel_size=stride, stride=stride)[:, 0]  # (Q, h, w)
    features = F.normalize(dense, dim=0).flatten(1)  # (D, h*w)
    pooled = weights.flatten(1) @ features.t()  # (Q, D)
    pooled = pooled / weights.flatten(1).sum(dim=1, keepdim=True).clamp_min(1e-6)
    return F.normalize(pooled, dim=-1)
