"""ovseg/visualization/overlay.py: mmseg's SegLocalVisualizer overlay, unlabelled pixels left
as they are, large images drawn at 1 MP."""
import numpy as np
import pytest
from mmseg.visualization import SegLocalVisualizer

from ovseg.visualization import draw_overlay, drawing_size, palette


@pytest.fixture(scope='module')
def visualizer():
    return SegLocalVisualizer(name='test-overlay')


def test_overlay_is_mmseg_blend_and_leaves_unlabelled_pixels(visualizer):
    image = np.full((10, 10, 3), 100, np.uint8)
    labels = np.full((10, 10), -1)
    labels[:, :5] = 1
    out = draw_overlay(visualizer, image, labels, ['a', 'b'], palette(2), opacity=1.0,
                       with_labels=False, legend=False)
    assert out.shape == (10, 10, 3)
    assert tuple(out[0, 0]) == palette(2)[1] and out[0, 9].tolist() == [100, 100, 100]
    half = draw_overlay(visualizer, image, labels, ['a', 'b'], palette(2), opacity=0.5,
                        with_labels=False, legend=False)
    expected = (image[0, 0] * 0.5 + np.array(palette(2)[1]) * 0.5).astype(np.uint8)
    np.testing.assert_array_equal(half[0, 0], expected)


def test_large_images_are_drawn_at_one_megapixel(visualizer):
    assert drawing_size(100, 200) == (100, 200)
    h, w = drawing_size(3000, 4000)
    assert h * w <= 1 << 20 and abs(w / h - 4 / 3) < 0.01
    image = np.zeros((1500, 2000, 3), np.uint8)
    labels = np.zeros((1500, 2000), np.int64)
    labels[:, 1000:] = 1
    out = draw_overlay(visualizer, image, labels, ['a', 'b'], palette(2), opacity=1.0,
                       legend=False, max_pixels=1500 * 2000 // 4)
    assert out.shape == (750, 1000, 3)
    assert tuple(out[10, 10]) == palette(2)[0] and tuple(out[10, 990]) == palette(2)[1]
