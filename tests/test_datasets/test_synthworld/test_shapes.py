"""ovseg.datasets.synthworld.shapes: filled and hollow shape masks in an object frame."""
import numpy as np
import pytest

from ovseg.datasets.synthworld import SYNTHWORLD_THINGS
from ovseg.datasets.synthworld.shapes import object_frame, shape_mask


@pytest.mark.parametrize('name', SYNTHWORLD_THINGS)
def test_shape_masks(name):
    u, v = object_frame(size=64, center=(32.0, 32.0), angle=25.0)
    filled = shape_mask(name, u / 20, v / 20)
    hollow = shape_mask(name, u / 20, v / 20, stroke=3)
    assert filled.dtype == bool and 100 < filled.sum() <= np.pi * 20 ** 2 + 20 * 4
    assert hollow.any() and not (hollow & ~filled).any() and hollow.sum() < filled.sum()
    assert not filled[(u ** 2 + v ** 2) > 21 ** 2].any()  # stays inside the radius
