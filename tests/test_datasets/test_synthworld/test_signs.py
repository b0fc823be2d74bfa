"""ovseg.datasets.synthworld.signs: a rendered sign and the polygon around its letters."""
import numpy as np
import pytest

from ovseg.datasets.synthworld.signs import FONTS, render_sign


@pytest.mark.parametrize('font', FONTS)
def test_sign_polygon_covers_the_letters(font):
    patch = render_sign('Cart', font=font, font_size=16, angle=20.0,
                        sign_color=(255, 255, 255), text_color=(0, 0, 0))
    h, w = patch.mask.shape
    assert patch.rgb.shape == (h, w, 3)
    assert ((patch.polygon >= 0) & (patch.polygon <= (w, h))).all()
    ink = np.argwhere(patch.rgb.sum(-1) < 300)[:, ::-1] + 0.5  # (x, y) pixel centres
    edges = np.roll(patch.polygon, -1, axis=0) - patch.polygon
    rel = ink[:, None] - patch.polygon[None]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    inside = (cross >= -1.5 * np.linalg.norm(edges, axis=1)).all(1)  # 1.5 px tolerance
    assert len(ink) > 20 and inside.mean() > 0.98
