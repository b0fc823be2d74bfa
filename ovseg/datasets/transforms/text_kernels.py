"""Scene-text training views: DBNet shrunk-kernel score-map targets and the query word.

FDP (https://arxiv.org/abs/2408.00441, Sec. 3.1, "Focus") supervises its text score map like
DBNet (https://arxiv.org/abs/1911.08947, Sec. 3.3, "Label generation"): each word polygon is
shrunk by the Vatti offset ``D = A (1 - r^2) / L`` (area A, perimeter L, ratio r = 0.4), drawn,
and brought to the score-map grid; unreadable words are ignore regions.

The offset is shapely's ``buffer(-D, join_style='mitre')`` (pyclipper, which DBNet and mmocr
use, is not installed here; a mitre buffer is the same inward offset for convex word quads).
"""
import re
from typing import Optional, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS

_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z'\-]*$")


def shrink_polygon(polygon: np.ndarray, ratio: float = 0.4) -> Optional[np.ndarray]:
    """Shrink a polygon inwards by DBNet's offset ``D = A (1 - ratio^2) / L``.

    Args:
        polygon (np.ndarray): (P, 2) vertices in pixels.
        ratio (float): shrink ratio r (area of the kernel ~ r^2 of the polygon's for a
            long thin box). Defaults to 0.4 (FDP, DBNet).

    Returns:
        np.ndarray | None: (P', 2) float64 vertices of the kernel, or None when the polygon
        is degenerate or vanishes under the offset.

    Examples:
        >>> square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
        >>> shrink_polygon(square, 0.4).min(0), shrink_polygon(square, 0.4).max(0)
        (array([2.1, 2.1]), array([7.9, 7.9]))
    """
    from shapely.geometry import Polygon  # optional dependency, imported where used
    shape = Polygon(np.asarray(polygon, dtype=np.float64))
    if not shape.is_valid or shape.area <= 0:
        return None
    offset = shape.area * (1 - ratio ** 2) / shape.length
    kernel = shape.buffer(-offset, join_style='mitre')
    if kernel.is_empty or kernel.geom_type != 'Polygon':
        return None
    return np.asarray(kernel.exterior.coords, dtype=np.float64)[:-1]  # (P', 2)


def is_readable(word: str, polygon: np.ndarray, vocabulary: Optional[Sequence[str]],
                min_text_size: float) -> bool:
    """Whether a word is a training target: Latin letters, not ``'###'``, in the dictionary
    (when given), and its polygon's shorter side at least ``min_text_size`` pixels
    (DBNet's rule for text too small to read)."""
    if not word or not _LATIN_WORD.match(word):
        return False
    if vocabulary is not None and word.lower() not in vocabulary:
        return False
    sides = np.linalg.norm(np.roll(polygon, -1, axis=0) - polygon, axis=1)  # (P,)
    return float(min(sides[0], sides[1])) >= min_text_size


@TRANSFORMS.register_module()
class GenerateTextKernels(BaseTransform):
    """Score-map target and ignore mask of the word polygons, on the stride-``s`` grid.

    Reads ``img`` (for its shape), ``words`` (list[str]), ``polygons`` (N, 4, 2) in original
    pixels and ``scale_factor`` (w, h) when a resize ran. Writes

    - ``gt_text_kernel``: (H/s, W/s) float32 in {0, 1}: a cell is 1 when any pixel of a
      readable word's shrunk kernel falls in it (max-pooled from the full-resolution drawing,
      so words smaller than a cell still mark it);
    - ``gt_text_mask``: (H/s, W/s) float32 in {0, 1}: 0 on cells touched by an unreadable
      word's whole polygon (ignored by the loss), 1 elsewhere;
    - ``readable``: (N,) bool, which words are targets (:func:`is_readable`).

    Args:
        stride (int): score-map stride (32 for the C5 of a CLIP ResNet). Defaults to 32.
        shrink_ratio (float): DBNet's r. Defaults to 0.4.
        min_text_size (float): shorter polygon side, in original pixels, below which a word
            is unreadable. Defaults to 8 (DBNet's).
        vocabulary (Sequence[str], optional): the dictionary; other words are unreadable.
            Defaults to None (any Latin word).
    """

    def __init__(self, *, stride: int = 32, shrink_ratio: float = 0.4,
                 min_text_size: float = 8, vocabulary: Optional[Sequence[str]] = None) -> None:
        self.stride = stride
        self.shrink_ratio = shrink_ratio
        self.min_text_size = min_text_size
        self.vocabulary = None if vocabulary is None else frozenset(vocabulary)

    def transform(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        scale = np.asarray(results.get('scale_factor', (1.0, 1.0)), dtype=np.float64)  # (w, h)
        polygons = np.asarray(results['polygons'], dtype=np.float64).reshape(-1, 4, 2)
        readable = np.array([is_readable(w, p, self.vocabulary, self.min_text_size)
                             for w, p in zip(results['words'], polygons)], dtype=bool)
        kernel = np.zeros((height, width), np.uint8)
        ignore = np.zeros((height, width), np.uint8)
        for polygon, ok in zip(polygons * scale, readable):
            if not ok:
                cv2.fillPoly(ignore, [np.round(polygon).astype(np.int32)], 1)
                continue
            shrunk = shrink_polygon(polygon, self.shrink_ratio)
            if shrunk is None:
                cv2.fillPoly(ignore, [np.round(polygon).astype(np.int32)], 1)
            else:
                cv2.fillPoly(kernel, [np.round(shrunk).astype(np.int32)], 1)
        results['gt_text_kernel'] = self._max_pool(kernel)
        results['gt_text_mask'] = 1.0 - self._max_pool(ignore)
        results['readable'] = readable
        return results

    def _max_pool(self, drawing: np.ndarray) -> np.ndarray:
        """(H, W) {0, 1} -> (H/s, W/s) float32, a cell 1 when any of its pixels is (floor)."""
        s = self.stride
        rows, cols = drawing.shape[0] // s, drawing.shape[1] // s
        cells = drawing[:rows * s, :cols * s].reshape(rows, s, cols, s)  # (H/s, s, W/s, s)
        return cells.max(axis=(1, 3)).astype(np.float32)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(stride={self.stride}, shrink_ratio='
                f'{self.shrink_ratio}, min_text_size={self.min_text_size})')


@TRANSFORMS.register_module()
class SampleQueryWord(BaseTransform):
    """Pick one readable word of the image as its training query ``text`` (FDP trains on one
    (image, word) pair at a time, Sec. 4.1). Images without one return None, so an mmengine
    dataset draws another index.

    Reads ``words`` and ``readable`` (:class:`GenerateTextKernels`); writes ``text``
    (lower-case).
    """

    def transform(self, results: dict) -> Optional[dict]:
        choices = [w for w, ok in zip(results['words'], results['readable']) if ok]
        if not choices:
            return None
        results['text'] = choices[np.random.randint(len(choices))].lower()
        return results

