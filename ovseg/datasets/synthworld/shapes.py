"""Binary masks of the SynthWorld thing shapes, drawn with vectorised numpy.

Every shape lives in a unit frame: ``u`` to the right, ``v`` down, the shape inside the unit disk.
:func:`object_frame` maps image pixels (H, W) into that frame for one object (centre, radius,
rotation); :func:`shape_mask` turns the frame into a (H, W) bool mask, optionally hollow.

Examples:
    >>> u, v = object_frame(size=32, center=(16.0, 16.0), angle=0.0)
    >>> mask = shape_mask('square', u / 10, v / 10)
    >>> mask.shape, mask.dtype, int(mask.sum())
    ((32, 32), dtype('bool'), 196)
"""
import math

import numpy as np

# Largest random rotation (degrees) per shape; shapes that would turn into another category
# (a square turned 45 degrees is a diamond) rotate only a little.
MAX_ROTATION = {
    'square': 15.0, 'diamond': 15.0, 'trapezoid': 20.0, 'cross': 20.0, 'heart': 30.0,
    'triangle': 40.0,
}


def _regular(n: int, *, start: float, radii: tuple = (1.0,)) -> np.ndarray:
    """Vertices (N, 2) of a regular (or alternating-radius star) polygon."""
    k = n * len(radii)
    return np.array([(radii[i % len(radii)] * math.cos(start + 2 * math.pi * i / k),
                      radii[i % len(radii)] * math.sin(start + 2 * math.pi * i / k))
                     for i in range(k)])


def _parametric(fx, fy, num: int = 48) -> np.ndarray:
    """Vertices (N, 2) sampled from a closed parametric curve t in [0, 2 pi)."""
    t = np.linspace(0.0, 2 * math.pi, num, endpoint=False)
    return np.stack([fx(t), fy(t)], axis=1)


def _normalise(poly: np.ndarray) -> np.ndarray:
    """Centre a polygon on its box and scale it into the unit disk."""
    poly = poly - (poly.min(0) + poly.max(0)) / 2
    return poly / np.linalg.norm(poly, axis=1).max()


_POLYGONS = {
    name: _normalise(np.asarray(poly, dtype=np.float64)) for name, poly in {
        'square': [(-1, -1), (1, -1), (1, 1), (-1, 1)],
        'triangle': _regular(3, start=-math.pi / 2),
        'star': _regular(5, start=-math.pi / 2, radii=(1.0, 0.42)),
        'hexagon': _regular(6, start=0.0),
        'pentagon': _regular(5, start=-math.pi / 2),
        'diamond': [(0, -1), (0.62, 0), (0, 1), (-0.62, 0)],
        'cross': [(-0.3, -1), (0.3, -1), (0.3, -0.3), (1, -0.3), (1, 0.3), (0.3, 0.3), (0.3, 1),
                  (-0.3, 1), (-0.3, 0.3), (-1, 0.3), (-1, -0.3), (-0.3, -0.3)],
        'arrow': [(-1, -0.24), (0.15, -0.24), (0.15, -0.62), (1, 0), (0.15, 0.62), (0.15, 0.24),
                  (-1, 0.24)],
        'trapezoid': [(-0.5, -0.6), (0.5, -0.6), (1, 0.6), (-1, 0.6)],
        'heart': _parametric(lambda t: 16 * np.sin(t) ** 3,
                             lambda t: -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t)
                                         - np.cos(4 * t))),
        'teardrop': _parametric(lambda t: np.sin(t) * np.sin(t / 2) ** 1.3, lambda t: -np.cos(t)),
    }.items()
}


def _inside_polygon(u: np.ndarray, v: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon test of every (u, v) against vertices (N, 2)."""
    inside = np.zeros(u.shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0)):
        if y0 == y1:
            continue
        crosses = (y0 > v) != (y1 > v)
        inside ^= crosses & (u < x0 + (v - y0) * (x1 - x0) / (y1 - y0))
    return inside


def _implicit(name: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Masks of the shapes defined by disks."""
    r2 = u * u + v * v
    if name == 'circle':
        return r2 <= 1.0
    if name == 'ring':
        return (r2 <= 1.0) & (r2 >= 0.56 ** 2)
    # moon: the unit disk minus a shifted disk
    return (r2 <= 1.0) & ((u - 0.5) ** 2 + (v + 0.2) ** 2 > 0.82 ** 2)


SHAPES = tuple(sorted(set(_POLYGONS) | {'circle', 'ring', 'moon'}))


def object_frame(*, size: int, center: tuple, angle: float) -> tuple:
    """Pixel-centre coordinates of a (size, size) image in an object's rotated frame.

    Args:
        size (int): Image side S in pixels.
        center (tuple): Object centre (x, y) in pixels.
        angle (float): Counter-clockwise rotation in degrees.

    Returns:
        tuple: ``u, v`` float32 arrays (S, S), in pixels along the object's axes.
    """
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx, dy = x - center[0], y - center[1]
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return cos * dx - sin * dy, sin * dx + cos * dy


def _erode(mask: np.ndarray, steps: int) -> np.ndarray:
    """Binary erosion with a 4-neighbour structuring element, ``steps`` times."""
    for _ in range(steps):
        padded = np.pad(mask, 1)
        mask = (mask & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2]
                & padded[1:-1, 2:])
    return mask


def shape_mask(name: str, u: np.ndarray, v: np.ndarray, *, stroke: int = 0) -> np.ndarray:
    """Mask of one shape.

    Args:
        name (str): A name in :data:`SHAPES`.
        u (np.ndarray): (H, W) frame coordinates divided by the object radius.
        v (np.ndarray): (H, W) frame coordinates divided by the object radius.
        stroke (int): Outline width in pixels for a hollow shape; 0 draws it filled.
            Defaults to 0.

    Returns:
        np.ndarray: (H, W) bool mask.
    """
    if name in _POLYGONS:
        mask = _inside_polygon(u, v, _POLYGONS[name])
    elif name in SHAPES:
        mask = _implicit(name, u, v)
    else:
        raise KeyError(f'unknown shape {name!r}; expected one of {SHAPES}')
    return mask & ~_erode(mask, stroke) if stroke else mask
