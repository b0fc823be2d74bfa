"""Mask operations shared by every head: label-map masks, masked CLIP crops, semantic composition.

- :func:`label_map_masks`: one binary mask per label of a (H, W) label map (ground-truth
  proposals, region views, mining on labelled scenes).
- :func:`crop_masked_regions` (OVSeg crop mode, https://arxiv.org/abs/2210.04150, Sec. 3.1 and
  the released adapter): a proposal's soft mask is binarised at ``mask_threshold``; empty masks
  are invalid; the tight box of the binary mask is cropped from the unpadded network input;
  pixels outside the mask are set to CLIP's mean pixel; the crop is resized to the CLIP input
  size, bicubic, aspect ratio not kept. Normalising before resizing makes every filled pixel
  exactly 0, so a fully blank patch embeds to an exact zero token (CLIP's ``conv1`` has no
  bias).
- :func:`compose_semantic`: MaskFormer semantic inference ``semseg[c] = sum_q p[q, c] * mask_q``
  (two-stage and proposal-only segmentors).
"""
from typing import List, NamedTuple, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torchvision.ops import masks_to_boxes

from ..clip.normalization import CLIP_MEAN, CLIP_STD, denormalize_image, normalize_image


def label_map_masks(label_map: Tensor, ignore_index: int = 255) -> Tuple[Tensor, Tensor]:
    """One binary mask per label present in a (H, W) label map.

    Returns:
        tuple[Tensor, Tensor]: masks (Q, H, W) bool and their labels (Q,) long, ascending.
    """
    labels = torch.unique(label_map)
    labels = labels[labels != ignore_index]
    return label_map[None] == labels[:, None, None], labels


def compose_semantic(probs: Tensor, masks: Tensor) -> Tensor:
    """MaskFormer semantic inference ``semseg[c] = sum_q p[q, c] * mask_q``.

    Cheng et al., https://arxiv.org/abs/2107.06278, Sec. 3.4.

    Args:
        probs (Tensor): (Q, K) class scores, >= 0.
        masks (Tensor): (Q, H, W) soft masks in [0, 1].

    Returns:
        Tensor: (K, H, W), zeros when Q = 0.
    """
    return torch.einsum('qk,qhw->khw', probs, masks.to(probs.dtype))


class MaskedCrops(NamedTuple):
    """Crops of the valid proposals of one or more images.

    Attributes:
        crops (Tensor): (N, 3, S, S) CLIP-normalised crops, exactly 0 outside the mask.
        region_masks (Tensor): (N, S, S) float {0, 1}, the binary mask resized (nearest).
        boxes (Tensor): (N, 4) crop boxes x1, y1, x2, y2 in input pixels, inclusive.
        valid (Tensor): (Q,) bool, True for the proposals that have a crop
            (N = ``valid.sum()``, crops in proposal order).
    """
    crops: Tensor
    region_masks: Tensor
    boxes: Tensor
    valid: Tensor


def crops_to_pixels(crops: Tensor) -> Tensor:
    """CLIP-normalised crops (N, 3, S, S) back to uint8 RGB pixels (N, 3, S, S), rounded: the
    crops as an image file stores them (mined pairs, pretraining views)."""
    return denormalize_image(crops).round().clamp(0, 255).to(torch.uint8)


def binarize_masks(masks: Tensor, threshold: float) -> Tuple[Tensor, Tensor]:
    """Threshold soft masks and flag the non-empty ones.

    Args:
        masks (Tensor): (Q, H, W) soft masks in [0, 1] (or binary).
        threshold (float): a pixel is foreground where ``mask > threshold``.

    Returns:
        tuple[Tensor, Tensor]: binary masks (Q, H, W) bool and validity (Q,) bool.
    """
    binary = masks > threshold
    return binary, binary.flatten(1).any(dim=1)


def crop_masked_regions(image: Tensor, masks: Tensor, *, size: Union[int, Tuple[int, int]],
                        mask_threshold: float = 0.4, mean: Sequence[float] = CLIP_MEAN,
                        std: Sequence[float] = CLIP_STD) -> MaskedCrops:
    """Masked, mean-filled crops of one image's proposals, ready for CLIP.

    Args:
        image (Tensor): (3, H, W) RGB 0-255 (float), unpadded.
        masks (Tensor): (Q, H, W) soft masks in [0, 1] at the image size.
        size (int | tuple[int, int]): output (S, S) or (S_h, S_w), the CLIP input size.
        mask_threshold (float): binarisation threshold (0.4 in OVSeg's Swin-B config).
            Defaults to 0.4.
        mean (Sequence[float]): fill pixel and normalisation mean, RGB 0-255.
            Defaults to CLIP's.
        std (Sequence[float]): normalisation std, RGB 0-255. Defaults to CLIP's.

    Returns:
        MaskedCrops: N valid crops (N <= Q). The image is normalised, multiplied by the
        binary mask (mean fill: 0 after normalisation), cropped to the tight box and
        resized bicubic (``align_corners=False``, no antialias); region masks nearest.

    Examples:
        >>> image = torch.full((3, 20, 30), 128.)
        >>> masks = torch.zeros(2, 20, 30); masks[0, 5:10, 3:9] = 1
        >>> out = crop_masked_regions(image, masks, size=8)
        >>> tuple(out.crops.shape), out.valid.tolist(), out.boxes.tolist()
        ((1, 3, 8, 8), [True, False], [[3.0, 5.0, 8.0, 9.0]])
    """
    size = (size, size) if isinstance(size, int) else tuple(size)
    binary, valid = binarize_masks(masks, mask_threshold)
    binary = binary[valid]
    if binary.shape[0] == 0:
        return MaskedCrops(image.new_zeros(0, 3, *size), image.new_zeros(0, *size),
                           image.new_zeros(0, 4), valid)
    boxes = masks_to_boxes(binary)  # (N, 4) inclusive corners
    normalized = normalize_image(image.float(), mean, std)  # (3, H, W)
    crops: List[Tensor] = []
    region_masks: List[Tensor] = []
    for mask, (x1, y1, x2, y2) in zip(binary, boxes.long().tolist()):
        region = mask[y1:y2 + 1, x1:x2 + 1]  # (h, w)
        crop = normalized[:, y1:y2 + 1, x1:x2 + 1] * region  # (3, h, w), 0 outside the mask
        crops.append(F.interpolate(crop[None], size=size, mode='bicubic', align_corners=False))
        region_masks.append(F.interpolate(region[None, None].float(), size=size, mode='nearest'))
    return MaskedCrops(torch.cat(crops), torch.cat(region_masks)[:, 0], boxes.to(image.dtype),
                       valid)
