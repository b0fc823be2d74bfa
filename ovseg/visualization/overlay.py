"""The segmentation overlay, drawn by mmseg's ``SegLocalVisualizer``, with a legend."""
from typing import Optional, Sequence, Tuple

import numpy as np

from .legend import add_legend


#: Overlays are drawn at most this many pixels: mmseg's visualizer blends in float64 over the
#: whole image and locates each region's name through a Python sort of its pixel coordinates
#: (seconds and gigabytes for a 4000x3000 photo); the label map itself keeps the full size.
MAX_PIXELS = 1 << 20
#: mmseg writes the class names onto the regions of overlays up to this size (512 x 512); larger
#: ones rely on the legend (its name placement takes ~2 s at 0.26 MP, ~6 s at 1 MP).
LABEL_MAX_PIXELS = 1 << 18


def drawing_size(height: int, width: int, max_pixels: int = MAX_PIXELS) -> Tuple[int, int]:
    """(h, w) an overlay of an image of ``height`` x ``width`` is drawn at: the same, or scaled
    down to at most ``max_pixels`` keeping the aspect ratio.

    Examples:
        >>> drawing_size(100, 200), drawing_size(4000, 3000)
        ((100, 200), (1182, 886))
    """
    if height * width <= max_pixels:
        return height, width
    scale = (max_pixels / (height * width)) ** 0.5
    return max(1, int(height * scale)), max(1, int(width * scale))


def draw_overlay(visualizer, image: np.ndarray, labels: np.ndarray, names: Sequence[str],
                 colors: Sequence[Tuple[int, int, int]], *, opacity: float = 0.5,
                 with_labels: bool = True, legend: bool = True, max_pixels: int = MAX_PIXELS,
                 out_file: Optional[str] = None) -> np.ndarray:
    """Blend ``labels`` onto ``image`` with mmseg's visualizer and add the legend.

    ``SegLocalVisualizer`` colours every label below K and blends the rest with black; pixels
    no class covers (``labels`` outside [0, K), e.g. -1 where no two-stage proposal survived)
    are restored to the image, so they stay uncoloured. An image above ``max_pixels`` is drawn
    scaled down (:func:`drawing_size`; the labels nearest-sampled).

    Args:
        visualizer (SegLocalVisualizer): mmseg's visualizer (its ``alpha`` is set here).
        image (np.ndarray): (H, W, 3) uint8 RGB.
        labels (np.ndarray): (H, W) class ids into ``names``.
        names (Sequence[str]): K class names (drawn on the regions and in the legend).
        colors (Sequence[tuple]): K RGB colours.
        opacity (float): weight of the colours. Defaults to 0.5.
        with_labels (bool): mmseg's class names on the regions (overlays up to
            :data:`LABEL_MAX_PIXELS`). Defaults to True.
        legend (bool): add the legend panel (:func:`add_legend`). Defaults to True.
        max_pixels (int): drawing size limit. Defaults to :data:`MAX_PIXELS` (1 MP).
        out_file (str, optional): also write the result there (PNG). Defaults to None.

    Returns:
        np.ndarray: (H', W', 3) uint8 RGB.
    """
    import mmcv
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    import cv2
    num = len(names)
    h, w = drawing_size(*labels.shape, max_pixels)
    if (h, w) != labels.shape:
        rows = (np.arange(h) * labels.shape[0]) // h
        cols = (np.arange(w) * labels.shape[1]) // w
        labels = labels[rows[:, None], cols[None, :]]
        image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    unlabelled = (labels < 0) | (labels >= num)
    sample = SegDataSample()
    # the visualizer skips ids >= K; -1 would index its palette from the end
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(
        np.where(unlabelled, num, labels).astype(np.int64))[None])
    visualizer.alpha = opacity
    visualizer.set_dataset_meta(classes=list(names), palette=[list(c) for c in colors])
    visualizer.add_datasample('overlay', image, sample, draw_gt=False,
                              with_labels=with_labels and h * w <= LABEL_MAX_PIXELS)
    drawn = visualizer.get_image().copy()
    drawn[unlabelled] = image[unlabelled]
    if legend:
        drawn = add_legend(drawn, labels, names, colors)
    if out_file is not None:
        mmcv.imwrite(drawn[..., ::-1], out_file)
    return drawn
