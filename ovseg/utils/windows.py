"""Square windows around boxes: object crops for CLIP views and SynthWorld's close-ups."""
from typing import Sequence, Tuple

# An object crop's window, as CLIP training views and SynthWorld's close-ups draw it: side 1.1-1.6x
# the object's box, centre moved by up to 0.1 of the side.
OBJECT_WINDOW_SCALE_RANGE = (1.1, 1.6)
OBJECT_WINDOW_MAX_SHIFT = 0.1


def square_window(box: Sequence[float], *, scale: float, shift: Tuple[float, float],
                  image_size: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """Square window around ``box``, inside the image where it fits.

    Args:
        box (Sequence[float]): (x1, y1, x2, y2) pixels.
        scale (float): window side over the box's longer side.
        shift (tuple[float, float]): (dx, dy) centre offset as fractions of the side.
        image_size (tuple[int, int]): (H, W).

    Returns:
        tuple[int, int, int, int]: (x1, y1, x2, y2) integer window, at least 2 px wide, clipped
        to the image when the side exceeds it.

    Examples:
        >>> square_window((10, 10, 30, 20), scale=1.5, shift=(0, 0), image_size=(100, 100))
        (5, 0, 35, 30)
    """
    height, width = image_size
    x1, y1, x2, y2 = box
    side = max(2.0, scale * max(x2 - x1, y2 - y1))
    cx = (x1 + x2) / 2 + shift[0] * side
    cy = (y1 + y2) / 2 + shift[1] * side
    left = int(round(min(max(cx - side / 2, 0.0), max(width - side, 0.0))))
    top = int(round(min(max(cy - side / 2, 0.0), max(height - side, 0.0))))
    side = int(round(side))
    return left, top, min(left + side, width), min(top + side, height)
