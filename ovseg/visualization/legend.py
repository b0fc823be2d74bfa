"""Class colours and the legend panel drawn beside an overlay (mmseg's visualizer has none)."""
import colorsys
from typing import List, Sequence, Tuple

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def palette(num: int) -> List[Tuple[int, int, int]]:
    """``num`` distinct RGB colours (golden-ratio hues).

    Examples:
        >>> palette(2)
        [(242, 48, 48), (33, 72, 166)]
    """
    out = []
    for i in range(num):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.8, 0.95 - 0.3 * (i % 2))
        out.append((round(255 * r), round(255 * g), round(255 * b)))
    return out


def add_legend(image: np.ndarray, labels: np.ndarray, names: Sequence[str],
               colors: Sequence[Tuple[int, int, int]]) -> np.ndarray:
    """The image with a legend panel on its right: the classes present, largest first.

    mmseg's ``SegLocalVisualizer`` writes class names onto the regions only; a small region's
    name is then hard to read, so the legend lists every class present with its colour and
    its share of the pixels. Pixel counts are taken in row blocks so that a huge label map
    costs no (H, W) temporaries.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB, typically the overlay.
        labels (np.ndarray): (H, W) class indices into ``names``; any other value (no class)
            is listed as 'unlabelled'.
        names (Sequence[str]): K class names.
        colors (Sequence[tuple]): K RGB colours.

    Returns:
        np.ndarray: (max(H, legend height), W + legend width, 3) uint8 RGB.

    Examples:
        >>> labels = np.zeros((4, 6), np.int64)
        >>> add_legend(np.zeros((4, 6, 3), np.uint8), labels, ['cat'], [(255, 0, 0)]).shape
        (32, 109, 3)
    """
    num = len(names)
    counts = np.zeros(num + 1, np.int64)  # pixels per class, then unlabelled
    step = max(1, (1 << 22) // max(1, labels.shape[1]))
    for y in range(0, labels.shape[0], step):
        block = labels[y:y + step]
        labelled = (block >= 0) & (block < num)
        counts += np.bincount(np.where(labelled, block, num).ravel(), minlength=num + 1)
    names = list(names) + ['unlabelled']
    colors = list(colors) + [(255, 255, 255)]
    present = sorted((k for k in range(num + 1) if counts[k]), key=lambda k: -counts[k])
    texts = {k: f'{names[k]} {100 * counts[k] / labels.size:.0f}%' for k in present}
    row, scale = 22, 0.5
    width = max([cv2.getTextSize(texts[k], _FONT, scale, 1)[0][0] for k in present] + [60]) + 40
    height = max(image.shape[0], row * len(present) + 10)
    canvas = np.full((height, image.shape[1] + width, 3), 255, np.uint8)
    canvas[:image.shape[0], :image.shape[1]] = image
    x0 = image.shape[1] + 8
    for i, k in enumerate(present):
        y = 8 + i * row
        cv2.rectangle(canvas, (x0, y), (x0 + 16, y + 14), tuple(int(c) for c in colors[k]), -1)
        cv2.putText(canvas, texts[k], (x0 + 22, y + 12), _FONT, scale, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return canvas
