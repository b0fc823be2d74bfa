"""The segmentation overlay, drawn by mmseg's ``SegLocalVisualizer``, with a legend."""
from typing import Optional, Sequence, Tuple

import numpy as np

from .legend import add_legend


def draw_overlay(visualizer, image: np.ndarray, labels: np.ndarray, names: Sequence[str],
                 colors: Sequence[Tuple[int, int, int]], *, opacity: float = 0.5,
                 with_labels: bool = True, legend: bool = True,
                 out_file: Optional[str] = None) -> np.ndarray:
    """Blend ``labels`` onto ``image`` with mmseg's visualizer and add the legend.

    ``SegLocalVisualizer`` colours every label below K and blends the rest with black; pixels
    no class covers (``labels`` outside [0, K), e.g. -1 where no two-stage proposal survived)
    are restored to the image, so they stay uncoloured.

    Args:
        visualizer (SegLocalVisualizer): mmseg's visualizer (its ``alpha`` is set here).
        image (np.ndarray): (H, W, 3) uint8 RGB.
        labels (np.ndarray): (H, W) class ids into ``names``.
        names (Sequence[str]): K class names (drawn on the regions and in the legend).
        colors (Sequence[tuple]): K RGB colours.
        opacity (float): weight of the colours. Defaults to 0.5.
        with_labels (bool): mmseg's class names on the regions. Defaults to True.
        legend (bool): add the legend panel (:func:`add_legend`). Defaults to True.
        out_file (str, optional): also write the result there (PNG). Defaults to None.

    Returns:
        np.ndarray: (H', W', 3) uint8 RGB.
    """
    import mmcv
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    num = len(names)
    unlabelled = (labels < 0) | (labels >= num)
    sample = SegDataSample()
    # the visualizer skips ids >= K; -1 would index its palette from the end
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(
        np.where(unlabelled, num, labels).astype(np.int64))[None])
    visualizer.alpha = opacity
    visualizer.set_dataset_meta(classes=list(names), palette=[list(c) for c in colors])
    visualizer.add_datasample('overlay', image, sample, draw_gt=False, with_labels=with_labels)
    drawn = visualizer.get_image().copy()
    drawn[unlabelled] = image[unlabelled]
    if legend:
        drawn = add_legend(drawn, labels, names, colors)
    if out_file is not None:
        mmcv.imwrite(drawn[..., ::-1], out_file)
    return drawn
