"""ovseg.utils.windows: square windows around boxes, kept inside the image."""
from ovseg.utils.windows import square_window


def test_window_is_square_and_centred_when_it_fits():
    assert square_window((40, 40, 60, 50), scale=1.5, shift=(0, 0),
                         image_size=(100, 100)) == (35, 30, 65, 60)


def test_window_is_shifted_then_pushed_inside_the_image():
    x1, y1, x2, y2 = square_window((90, 0, 100, 10), scale=1.6, shift=(0.1, -0.1),
                                   image_size=(50, 100))
    assert (x2, y1) == (100, 0) and x2 - x1 == y2 - y1 == 16


def test_window_larger_than_the_image_is_clipped_and_never_below_two_pixels():
    assert square_window((0, 0, 30, 10), scale=2.0, shift=(0, 0),
                         image_size=(20, 40)) == (0, 0, 40, 20)
    x1, y1, x2, y2 = square_window((5, 5, 5, 5), scale=1.1, shift=(0, 0), image_size=(20, 20))
    assert x2 - x1 == y2 - y1 == 2
