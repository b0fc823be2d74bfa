"""Region crops for CLIP-Attr: enlarge a box around its centre, cut, resize keeping aspect, pad.

One implementation for the data pipeline (:class:`~ovseg.datasets.transforms.CropBoxRegion`,
one ground-truth box per sample) and for boxes given at inference (many boxes of one image,
batched), so that both see identical pixels. mmcv's ``Resize(keep_ratio=True)`` + ``Pad``
cover the last two steps for one image but pad bottom-right and work on numpy images one at a
time; the crop around a box has no mmcv/mmdet transform.
"""
import warnings
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor


def enlarge_boxes(boxes: Tensor, scales: Union[float, Tensor], height: int,
                  width: int) -> Tensor:
    """Scale boxes around their centres, clip to the image, round outwards to whole pixels.

    CLIP-Attr's ``ScaleCrop`` (https://arxiv.org/abs/2301.09506; the released
    pipeline): width and height both times ``scales`` (``1 + U(0, 0.2)`` in training).

    Args:
        boxes (Tensor): (N, 4) x1, y1, x2, y2 in pixels.
        scales (float | Tensor): factor, or (N,) one per box.
        height (int): image height H.
        width (int): image width W.

    Returns:
        Tensor: (N, 4) int64 pixel bounds, 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H.

    Raises:
        ValueError: a box with no area inside the image (its index is named).

    Examples:
        >>> enlarge_boxes(torch.tensor([[10., 10., 20., 30.]]), 1.2, 64, 64).tolist()
        [[9, 8, 21, 32]]
    """
    boxes = boxes.float()
    scales = torch.as_tensor(scales, dtype=boxes.dtype, device=boxes.device)
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2  # (N, 2)
    half = (boxes[:, 2:] - boxes[:, :2]) * scales.reshape(-1, 1) / 2  # (N, 2)
    limit = boxes.new_tensor([width, height])
    low = (centre - half).clamp(min=0).minimum(limit).floor()
    high = (centre + half).minimum(limit).clamp(min=0).ceil()
    bad = ((high - low) <= 0).any(dim=1) | ~torch.isfinite(boxes).all(dim=1)
    if bad.any():
        index = int(bad.nonzero()[0])
        raise ValueError(f'box {index} {boxes[index].tolist()} has no area inside the '
                         f'{height}x{width} image')
    return torch.cat([low, high], dim=1).long()  # (N, 4)


def clip_boxes(boxes: Tensor, height: int, width: int, *,
               image: str = 'the image') -> Tuple[Tensor, Tensor]:
    """Boxes given by a user, clipped to the image; those with nothing left are skipped.

    For boxes from outside the model (``--boxes``, an API call): a box that crosses the
    border is clipped to it; one with no area inside the image (outside it, degenerate
    ``x2 <= x1`` or ``y2 <= y1`` after clipping, not finite) is dropped. Either way a warning
    names the box's index and ``image``. :func:`enlarge_boxes` (and so :func:`crop_boxes`) raise
    on such boxes instead: they are for boxes the pipeline made.

    Args:
        boxes (Tensor): (N, 4) x1, y1, x2, y2 in pixels.
        height (int): image height H.
        width (int): image width W.
        image (str): how the warning names the image (its path). Defaults to 'the image'.

    Returns:
        tuple[Tensor, Tensor]: the kept boxes (M, 4) float, clipped to [0, W] x [0, H], and
        their indices into ``boxes`` (M,) int64.

    Examples:
        >>> with warnings.catch_warnings(record=True):  # both boxes cross the border
        ...     kept, index = clip_boxes(torch.tensor([[-5., 2., 10., 8.], [4., 4., 30., 9.]]),
        ...                              16, 16, image='a.png')
        >>> kept.tolist(), index.tolist()
        ([[0.0, 2.0, 10.0, 8.0], [4.0, 4.0, 16.0, 9.0]], [0, 1])
    """
    boxes = boxes.float().reshape(-1, 4)
    finite = torch.isfinite(boxes).all(dim=1)  # (N,)
    limit = boxes.new_tensor([width, height, width, height])
    clipped = torch.nan_to_num(boxes).clamp(min=0).minimum(limit)  # (N, 4)
    keep = finite & (clipped[:, 2] > clipped[:, 0]) & (clipped[:, 3] > clipped[:, 1])
    for index in (~keep).nonzero().flatten().tolist():
        warnings.warn(f'box {index} {boxes[index].tolist()} of {image} has no area inside '
                      f'the {height}x{width} image: skipped', stacklevel=2)
    for index in (keep & (clipped != boxes).any(dim=1)).nonzero().flatten().tolist():
        warnings.warn(f'box {index} {boxes[index].tolist()} of {image} crosses the border of '
                      f'the {height}x{width} image: clipped to {clipped[index].tolist()}',
                      stacklevel=2)
    index = keep.nonzero().flatten()
    return clipped[index], index


def crop_boxes(image: Tensor, boxes: Tensor, *, size: int, scales: Union[float, Tensor] = 1.0,
               pad_value: Sequence[float] = (0.0, 0.0, 0.0)) -> Tensor:
    """Batched square crops of boxes: enlarge, cut, resize keeping aspect, centre-pad.

    CLIP-Attr's region input (https://arxiv.org/abs/2301.09506, released pipeline): each box
    enlarged (:func:`enlarge_boxes`), resized so that its longer side is ``size``
    (bilinear, antialiased), and padded on both sides to ``size`` x ``size``. Deterministic
    for fixed ``scales`` (the test setting; the original also cropped randomly at test).

    Args:
        image (Tensor): (3, H, W) image, any channel order; uint8 or float.
        boxes (Tensor): (N, 4) x1, y1, x2, y2 in pixels.
        size (int): output side S (the CLIP input size).
        scales (float | Tensor): enlargement factor, or (N,) one per box. Defaults to 1.0.
        pad_value (Sequence[float]): per-channel fill of the padding, in the image's channel
            order (the CLIP mean makes the padding 0 after normalisation). Defaults to zeros.

    Returns:
        Tensor: (N, 3, S, S) crops, dtype of ``image`` (uint8 rounded).

    Examples:
        >>> image = torch.zeros(3, 40, 60, dtype=torch.uint8)
        >>> crop_boxes(image, torch.tensor([[0., 0., 30., 10.]]), size=32).shape
        torch.Size([1, 3, 32, 32])
    """
    if image.dim() != 3:
        raise ValueError(f'image must be (3, H, W), got {tuple(image.shape)}')
    _, height, width = image.shape
    bounds = enlarge_boxes(boxes, scales, height, width).tolist()
    fill = torch.as_tensor(pad_value, dtype=torch.float, device=image.device).view(3, 1, 1)
    out = fill.expand(len(bounds), 3, size, size).clone()  # (N, 3, S, S)
    for n, (x1, y1, x2, y2) in enumerate(bounds):
        region = image[:, y1:y2, x1:x2].float()  # (3, h, w)
        h, w = region.shape[1:]
        ratio = size / max(h, w)
        new_h, new_w = max(1, min(size, round(h * ratio))), max(1, min(size, round(w * ratio)))
        resized = F.interpolate(region[None], size=(new_h, new_w), mode='bilinear',
                                align_corners=False, antialias=True)[0]  # (3, h', w')
        top, left = (size - new_h) // 2, (size - new_w) // 2
        out[n, :, top:top + new_h, left:left + new_w] = resized
    if not image.dtype.is_floating_point:
        out = out.round().clamp(0, 255)
    return out.to(image.dtype)
