"""ovseg/visualization/legend.py: colours and the legend panel."""
import numpy as np

from ovseg.visualization import add_legend, palette


def test_palette_is_distinct():
    colors = palette(30)
    assert len(set(colors)) == 30 and all(0 <= c <= 255 for rgb in colors for c in rgb)


def test_legend_lists_present_classes_largest_first_with_unlabelled():
    image = np.zeros((100, 40, 3), np.uint8)
    labels = np.full((100, 40), -1)
    labels[:60] = 2  # 60 %
    labels[60:90] = 0  # 30 %, then 10 % unlabelled
    colors = palette(3)
    out = add_legend(image, labels, ['a', 'b', 'c'], colors)
    assert out.shape[0] == 100 and out.shape[1] > 40
    np.testing.assert_array_equal(out[:, :40], image)
    # swatches at x0 + 8 in rows of 22 px from y = 8: c, a, then unlabelled (white)
    x = 40 + 8 + 8
    assert tuple(out[8 + 7, x]) == colors[2] and tuple(out[30 + 7, x]) == colors[0]
    assert tuple(out[52 + 7, x]) == (255, 255, 255) and tuple(out[74 + 7, x]) == (255, 255, 255)
    # class b is absent: no fourth swatch
    assert out[74 + 7, x - 8:].min() == 255
