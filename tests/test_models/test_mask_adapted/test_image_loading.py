"""Odd image files reach the segmentor as 8-bit 3-channel images (mmcv ``LoadImageFromFile``)."""
import cv2
import numpy as np
import pytest
from mmcv.transforms import LoadImageFromFile


@pytest.mark.parametrize('kind', ['rgba', 'gray', 'gray16', 'rgb16'])
def test_load_image_from_file_converts(tmp_path, kind):
    rng = np.random.default_rng(0)
    shape = {'rgba': (6, 7, 4), 'gray': (6, 7), 'gray16': (6, 7), 'rgb16': (6, 7, 3)}[kind]
    dtype = np.uint16 if kind.endswith('16') else np.uint8
    array = rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype)
    path = str(tmp_path / f'{kind}.png')
    cv2.imwrite(path, array)
    img = LoadImageFromFile()(dict(img_path=path))['img']  # color_type='color' (the default)
    assert img.shape == (6, 7, 3) and img.dtype == np.uint8
    if kind == 'rgb16':
        np.testing.assert_array_equal(img, (array >> 8).astype(np.uint8))  # 16 -> 8 bit
    if kind == 'gray':
        assert (img == array[..., None]).all()
