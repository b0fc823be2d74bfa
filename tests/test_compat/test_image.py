"""Tests for ovseg/compat/image.py: mmcv's LoadImageFromFile names the image it cannot read."""
import cv2
import numpy as np
import pytest
from mmcv.transforms import LoadImageFromFile

import ovseg  # noqa: F401  (applies the compat patches)
from ovseg.compat import ImageReadError


@pytest.fixture
def png(tmp_path):
    path = tmp_path / 'ok.png'
    cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))
    return path


def test_good_image_loads(png):
    assert LoadImageFromFile()(dict(img_path=str(png)))['img'].shape == (8, 8, 3)


@pytest.mark.parametrize('case, match', [
    ('missing', 'does not exist'), ('empty', r'empty \(0 bytes\)'),
    ('corrupt', 'not a decodable image'), ('text', 'not a decodable image')])
def test_unreadable_image_is_an_error_naming_it(png, tmp_path, case, match):
    path = tmp_path / f'{case}.png'
    if case == 'empty':
        path.write_bytes(b'')
    elif case == 'corrupt':
        path.write_bytes(png.read_bytes()[:40])
    elif case == 'text':
        path.write_text('not an image')
    with pytest.raises(ImageReadError, match=f'{path}.*{match}|{match}.*{path}'):
        LoadImageFromFile()(dict(img_path=str(path)))


def test_ignore_empty_keeps_mmcv_behaviour(tmp_path):
    path = tmp_path / 'empty.png'
    path.write_bytes(b'')
    assert LoadImageFromFile(ignore_empty=True)(dict(img_path=str(path))) is None
