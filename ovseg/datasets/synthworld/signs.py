"""Signs with one rendered word: fonts, text drawing, rotation and the word polygon.

:func:`render_sign` returns a :class:`SignPatch`: an (h, w, 3) uint8 RGB patch, its (h, w) bool
sign mask, and the word's 4-point polygon (4, 2) float64 in patch pixels (corner convention:
pixel ``(i, j)`` covers ``[j, j + 1) x [i, i + 1)``), ordered top-left, top-right,
bottom-right, bottom-left in reading direction.

Fonts: :data:`FONTS` names Pillow's bundled scalable font (``default``, always present) and a few
DejaVu faces. A DejaVu face missing on this machine falls back to ``default``, and
``SignPatch.font`` records the face actually used.

Examples:
    >>> patch = render_sign('cart', font='default', font_size=14, angle=10.0,
    ...                     sign_color=(255, 255, 255), text_color=(0, 0, 0))
    >>> patch.rgb.shape[:2] == patch.mask.shape, patch.polygon.shape, patch.font
    (True, (4, 2), 'default')
"""
import math
import os.path as osp
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = '/usr/share/fonts/truetype/dejavu'
FONTS = ('default', 'DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSerif', 'DejaVuSansMono-Bold')

# (sign colour name, sign RGB, text RGB) with strong contrast between sign and text.
SIGN_STYLES = (
    ('white', (240, 240, 235), (20, 20, 20)),
    ('yellow', (250, 210, 40), (15, 15, 15)),
    ('gray', (190, 190, 190), (20, 30, 90)),
    ('green', (20, 110, 50), (250, 250, 250)),
    ('blue', (25, 55, 150), (250, 250, 250)),
    ('red', (185, 25, 25), (250, 250, 250)),
)


@dataclass(frozen=True)
class SignPatch:
    """A rotated sign: ``rgb`` (h, w, 3) uint8, ``mask`` (h, w) bool, ``polygon`` (4, 2)."""
    rgb: np.ndarray
    mask: np.ndarray
    polygon: np.ndarray
    font: str


@lru_cache(maxsize=256)
def load_font(name: str, size: int) -> tuple:
    """Load ``name`` at ``size`` px, falling back to Pillow's bundled font.

    Returns:
        tuple: (``ImageFont.FreeTypeFont``, name of the face actually loaded).
    """
    path = osp.join(FONT_DIR, f'{name}.ttf')
    if name != 'default' and osp.isfile(path):
        return ImageFont.truetype(path, size), name
    return ImageFont.load_default(size=size), 'default'


def sign_extent(text: str, *, font: str, font_size: int, angle: float) -> tuple:
    """Width and height in pixels of the rotated sign that :func:`render_sign` would draw."""
    w, h = _sign_size(text, load_font(font, font_size)[0], font_size)
    return _rotated_size(w, h, angle)


def _sign_size(text: str, font, font_size: int) -> tuple:
    left, top, right, bottom = font.getbbox(text)
    pad = max(2, round(0.35 * font_size))
    return right - left + 2 * pad, bottom - top + 2 * pad


def _rotated_size(w: int, h: int, angle: float) -> tuple:
    cos, sin = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    return math.ceil(w * cos + h * sin), math.ceil(w * sin + h * cos)


def render_sign(text: str, *, font: str, font_size: int, angle: float, sign_color: tuple,
                text_color: tuple) -> SignPatch:
    """Draw ``text`` on a plain rectangular sign rotated by ``angle`` degrees counter-clockwise.

    Args:
        text (str): The string drawn (already in its rendered case).
        font (str): A name in :data:`FONTS`.
        font_size (int): Font size in pixels.
        angle (float): Counter-clockwise rotation in degrees.
        sign_color (tuple): RGB of the sign.
        text_color (tuple): RGB of the letters.

    Returns:
        SignPatch: The rotated patch, its mask and the word polygon.
    """
    face, used = load_font(font, font_size)
    w, h = _sign_size(text, face, font_size)
    left, top, right, bottom = face.getbbox(text)
    pad = max(2, round(0.35 * font_size))
    flat = Image.new('RGB', (w, h), sign_color)
    ImageDraw.Draw(flat).text((pad - left, pad - top), text, font=face, fill=text_color)
    word = np.array([[pad, pad], [w - pad, pad], [w - pad, h - pad], [pad, h - pad]], float)

    out_w, out_h = _rotated_size(w, h, angle)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    # forward map p -> q = R (p - c_in) + c_out, R turning counter-clockwise on screen (y down)
    c_in, c_out = np.array([w / 2, h / 2]), np.array([out_w / 2, out_h / 2])
    rot = np.array([[cos, sin], [-sin, cos]])
    inverse = (cos, -sin, c_in[0] - cos * c_out[0] + sin * c_out[1],
               sin, cos, c_in[1] - sin * c_out[0] - cos * c_out[1])
    rgb = flat.transform((out_w, out_h), Image.AFFINE, inverse, resample=Image.BILINEAR,
                         fillcolor=sign_color)
    mask = Image.new('L', (w, h), 255).transform((out_w, out_h), Image.AFFINE, inverse,
                                                 resample=Image.NEAREST, fillcolor=0)
    polygon = (word - c_in) @ rot.T + c_out
    return SignPatch(rgb=np.asarray(rgb), mask=np.asarray(mask) > 0, polygon=polygon, font=used)
