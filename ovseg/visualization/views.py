"""The per-class score view (DenseCLIP) and the per-proposal view (two-stage models)."""
import math
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _tile_shape(height: int, width: int, tile: int) -> Tuple[int, int]:
    """(tile height, tile width) of an image scaled so that its longer side is ``tile``."""
    if height >= width:
        return tile, max(1, round(tile * width / height))
    return max(1, round(tile * height / width)), tile


def score_grid(scores: np.ndarray, names: Sequence[str], *, tile: int = 160,
               cols: Optional[int] = None) -> np.ndarray:
    """Tile per-class score maps (values in [0, 1]) with their names, JET colours.

    Args:
        scores (np.ndarray): (K, H, W) floats in [0, 1].
        names (Sequence[str]): K class names.
        tile (int): longer side of a tile in pixels. Defaults to 160.
        cols (int, optional): tiles per row. Defaults to ceil(sqrt(K)).

    Returns:
        np.ndarray: RGB uint8 grid.
    """
    k, h, w = scores.shape
    cols = cols or math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    th, tw = _tile_shape(h, w, tile)
    label_h = 20
    grid = np.full((rows * (th + label_h), cols * tw, 3), 255, np.uint8)
    for i in range(k):
        r, c = divmod(i, cols)
        heat = cv2.resize((np.clip(scores[i], 0, 1) * 255).astype(np.uint8), (tw, th),
                          interpolation=cv2.INTER_LINEAR)
        heat = cv2.cvtColor(cv2.applyColorMap(heat, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
        y = r * (th + label_h)
        grid[y + label_h:y + label_h + th, c * tw:(c + 1) * tw] = heat
        text = f'{names[i]} (max {scores[i].max():.2f})'
        cv2.putText(grid, text[:max(4, tw // 7)], (c * tw + 3, y + 14), _FONT, 0.4, (0, 0, 0),
                    1, cv2.LINE_AA)
    return grid


def proposal_grid(image: np.ndarray, masks: np.ndarray, scores: np.ndarray,
                  names: Sequence[str], *, top_k: int = 3, max_proposals: int = 16,
                  tile: int = 160) -> np.ndarray:
    """Tile the proposals of a two-stage model, each with its best classes.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        masks (np.ndarray): (Q, H, W) proposal masks in [0, 1] at the image size.
        scores (np.ndarray): (Q, K) class scores of the proposals.
        names (Sequence[str]): K class names.
        top_k (int): classes written under each tile. Defaults to 3.
        max_proposals (int): tiles drawn, best-scoring proposals first. Defaults to 16.
        tile (int): longer side of a tile in pixels. Defaults to 160.

    Returns:
        np.ndarray: RGB uint8 grid; each tile is the image at a quarter of its brightness
        outside the mask (threshold 0.5) with the mask outlined, above ``top_k`` lines
        ``name score``. An image with no proposal gives a one-tile grid saying so.
    """
    th, tw = _tile_shape(*image.shape[:2], tile)
    order = np.argsort(-scores.max(axis=1), kind='stable')[:max_proposals] if len(scores) else []
    cols = max(1, min(4, len(order)))
    rows = max(1, math.ceil(len(order) / cols))
    text_h = 16 * top_k + 4
    grid = np.full((rows * (th + text_h), cols * tw, 3), 255, np.uint8)
    if not len(order):
        cv2.putText(grid, 'no proposal', (4, th // 2), _FONT, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        return grid
    for slot, q in enumerate(order):
        r, c = divmod(slot, cols)
        inside = masks[q] > 0.5
        view = np.where(inside[..., None], image, image // 4).astype(np.uint8)
        contours, _ = cv2.findContours(inside.astype(np.uint8), cv2.RETR_EXTERNAL,
                                       cv2.CHAIN_APPROX_SIMPLE)
        view = cv2.drawContours(np.ascontiguousarray(view), contours, -1, (255, 255, 0), 1)
        y, x = r * (th + text_h), c * tw
        grid[y:y + th, x:x + tw] = cv2.resize(view, (tw, th), interpolation=cv2.INTER_AREA)
        for line, k in enumerate(np.argsort(-scores[q], kind='stable')[:top_k]):
            text = f'{names[k]} {scores[q, k]:.2f}'
            cv2.putText(grid, text[:max(4, tw // 7)], (x + 3, y + th + 14 + 16 * line), _FONT,
                        0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return grid
