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
        boxes (Tensor): (N, 4) crop boxes x1, y1, x2, y2 in input pixels, inclusive (they
            reach outside the image when the box is scaled or squared).
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


def _crop_box(box: Sequence[int], box_scale: float, square: bool) -> Tuple[int, int, int, int]:
    """A tight inclusive box (x1, y1, x2, y2) scaled about its centre (square: by its longer
    side), inclusive, rounded; it may reach outside the image."""
    x1, y1, x2, y2 = box
    width, height = (x2 - x1 + 1) * box_scale, (y2 - y1 + 1) * box_scale
    if square:
        width = height = max(width, height)
    cx, cy = (x1 + x2 + 1) / 2, (y1 + y2 + 1) / 2
    left, top = int(round(cx - width / 2)), int(round(cy - height / 2))
    return (left, top, left + max(1, int(round(width))) - 1,
            top + max(1, int(round(height))) - 1)


def crop_masked_regions(image: Tensor, masks: Tensor, *, size: Union[int, Tuple[int, int]],
                        mask_threshold: float = 0.4, mean: Sequence[float] = CLIP_MEAN,
                        std: Sequence[float] = CLIP_STD, box_scale: float = 1.0,
                        square: bool = False, mean_fill: bool = True) -> MaskedCrops:
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
        box_scale (float): the crop box is the tight box scaled by this about its centre
            (OVSeg: 1). Defaults to 1.0.
        square (bool): make the crop box square (its longer side) before resizing, so the
            region keeps its aspect ratio (the zero-shot crops of SynthWorld's CLIP
            evaluation: ``box_scale=1.2, square=True, mean_fill=False``). Defaults to False.
        mean_fill (bool): set the pixels outside the mask to the mean pixel (OVSeg); False
            keeps the box's context. Pixels of the box outside the image are the mean pixel
            either way. Defaults to True.

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
    height, width = image.shape[-2:]
    crop_boxes = []
    for mask, box in zip(binary, boxes.long().tolist()):
        if box_scale != 1 or square:
            box = _crop_box(box, box_scale, square)
        x1, y1, x2, y2 = box
        crop_boxes.append(box)
        # the part of the box inside the image, zero-padded (the mean pixel) to the whole box
        pad = (max(0, -x1), max(0, x2 + 1 - width), max(0, -y1), max(0, y2 + 1 - height))
        inside = (slice(max(0, y1), min(height, y2 + 1)), slice(max(0, x1), min(width, x2 + 1)))
        region = F.pad(mask[inside].float(), pad)  # (h, w)
        crop = F.pad(normalized[(slice(None),) + inside], pad)  # (3, h, w)
        if mean_fill:
            crop = crop * region  # 0 outside the mask
        crops.append(F.interpolate(crop[None], size=size, mode='bicubic', align_corners=False))
        region_masks.append(F.interpolate(region[None, None], size=size, mode='nearest'))
    return MaskedCrops(torch.cat(crops), torch.cat(region_masks)[:, 0],
                       torch.tensor(crop_boxes, dtype=image.dtype).reshape(-1, 4), valid)
