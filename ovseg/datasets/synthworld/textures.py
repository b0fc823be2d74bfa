"""Background (stuff) textures and the stuff layout of a SynthWorld image.

:func:`stuff_layout` splits an (S, S) image into one or two stuff regions and returns an
(S, S) uint8 map of indices into ``SYNTHWORLD_STUFF``; :func:`render_texture` paints one
background as an (S, S, 3) uint8 RGB array. All randomness comes from the ``rng`` passed in.

Examples:
    >>> rng = np.random.default_rng(0)
    >>> render_texture('brick', rng, size=48).shape
    (48, 48, 3)
    >>> stuff_layout(rng, size=48).dtype
    dtype('uint8')
"""
import numpy as np
from PIL import Image

from .vocab import SYNTHWORLD_STUFF

_UPPER = ('sky', 'brick', 'wood')
_LOWER = ('grass', 'water', 'sand', 'wood')
_SIDE = ('grass', 'water', 'sand', 'brick', 'wood')


def _smooth_noise(rng: np.random.Generator, size: int, cell: tuple) -> np.ndarray:
    """Value noise in [0, 1], (S, S) float32, with features ``cell`` = (rows, cols) pixels."""
    grid = rng.random((size // cell[0] + 2, size // cell[1] + 2), dtype=np.float32)
    return np.asarray(Image.fromarray(grid).resize((size, size), Image.BICUBIC))


def _mix(a: tuple, b: tuple, t: np.ndarray) -> np.ndarray:
    """Blend two RGB colours by weight ``t`` (S, S) into an (S, S, 3) float array."""
    t = np.clip(t, 0.0, 1.0)[..., None]
    return np.asarray(a, np.float32) * (1 - t) + np.asarray(b, np.float32) * t


def _sky(rng, size, unit):
    y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None].repeat(size, 1)
    sky = _mix((55, 115, 205), (175, 210, 245), y)
    clouds = np.clip((_smooth_noise(rng, size, (2 * unit, 4 * unit)) - 0.55) * 3.0, 0.0, 0.85)
    return sky * (1 - clouds[..., None]) + 255.0 * clouds[..., None]


def _grass(rng, size, unit):
    blades = _smooth_noise(rng, size, (unit, max(1, unit // 5)))
    fine = rng.random((size, size), dtype=np.float32)
    return _mix((40, 95, 25), (110, 185, 60), 0.7 * blades + 0.3 * fine)


def _brick(rng, size, unit):
    bh, bw = unit, 2 * unit
    y, x = np.mgrid[0:size, 0:size]
    row = y // bh
    shifted = x + (row % 2) * (bw // 2)
    col = shifted // bw
    shade = rng.random((row.max() + 1, col.max() + 1), dtype=np.float32)[row, col]
    bricks = _mix((125, 45, 35), (185, 85, 60), shade)
    joint = max(1, unit // 6)
    mortar = (y % bh < joint) | (shifted % bw < joint)
    bricks[mortar] = (200, 192, 180)
    return bricks


def _wood(rng, size, unit):
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    warp = 4.0 * _smooth_noise(rng, size, (3 * unit, unit))
    grain = 0.5 + 0.5 * np.sin((y + warp * unit / 2) * (2.2 / unit))
    wood = _mix((105, 65, 30), (170, 115, 60), grain)
    seams = (x.astype(np.int64) + rng.integers(3 * unit)) % (3 * unit) < 1
    wood[seams] *= 0.55
    return wood


def _water(rng, size, unit):
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    warp = 6.0 * _smooth_noise(rng, size, (unit, 3 * unit))
    waves = 0.5 + 0.5 * np.sin(y * (3.0 / unit) + x * (0.4 / unit) + warp)
    return _mix((20, 70, 135), (70, 150, 200), waves ** 3)


def _sand(rng, size, unit):
    dunes = _smooth_noise(rng, size, (2 * unit, 4 * unit))
    speckle = rng.random((size, size), dtype=np.float32)
    return _mix((190, 160, 105), (235, 215, 165), 0.6 * dunes + 0.4 * speckle)


_TEXTURES = dict(sky=_sky, grass=_grass, brick=_brick, wood=_wood, water=_water, sand=_sand)


def render_texture(name: str, rng: np.random.Generator, *, size: int) -> np.ndarray:
    """Paint one background texture.

    Args:
        name (str): A background stuff name (every stuff but ``sign``).
        rng (np.random.Generator): Source of randomness.
        size (int): Image side S.

    Returns:
        np.ndarray: (S, S, 3) uint8 RGB.
    """
    unit = max(4, size // 16)
    return np.clip(_TEXTURES[name](rng, size, unit), 0, 255).astype(np.uint8)


def stuff_layout(rng: np.random.Generator, *, size: int) -> np.ndarray:
    """Split an image into stuff regions: one region, a wavy horizon, or a slanted split.

    Args:
        rng (np.random.Generator): Source of randomness.
        size (int): Image side S.

    Returns:
        np.ndarray: (S, S) uint8 indices into ``SYNTHWORLD_STUFF`` (never ``sign``).
    """
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    kind = rng.choice(['single', 'horizon', 'split'], p=[0.25, 0.55, 0.2])
    if kind == 'single':
        names = (rng.choice(list(_TEXTURES)),) * 2
        upper = np.ones((size, size), dtype=bool)
    elif kind == 'horizon':
        top = str(rng.choice(_UPPER))
        names = (top, str(rng.choice([n for n in _LOWER if n != top])))
        level = size * rng.uniform(0.3, 0.6)
        wave = size * rng.uniform(0.0, 0.05) * np.sin(
            x * (2 * np.pi / (size * rng.uniform(0.5, 1.5))) + rng.uniform(0, 2 * np.pi))
        upper = y < level + wave
    else:
        first, second = rng.choice(_SIDE, size=2, replace=False)
        names = (str(first), str(second))
        upper = x < size * rng.uniform(0.35, 0.65) + (y - size / 2) * rng.uniform(-0.5, 0.5)
    ids = [SYNTHWORLD_STUFF.index(str(n)) for n in names]
    return np.where(upper, ids[0], ids[1]).astype(np.uint8)
