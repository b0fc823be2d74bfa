"""ovseg.datasets.transforms.text_kernels: DBNet shrink, score-map targets, query sampling."""
import math

import numpy as np
import pytest
from shapely.geometry import Polygon

from ovseg.datasets.transforms import (GenerateTextKernels, PackTextRetrievalInputs,
                                       SampleQueryWord, shrink_polygon)


def test_shrink_offsets_a_box_by_dbnets_distance():
    box = np.array([[0, 0], [40, 0], [40, 10], [0, 10]], float)
    # D = A (1 - r^2) / L = 400 * 0.84 / 100 = 3.36: a (40 - 6.72) x (10 - 6.72) kernel
    kernel = shrink_polygon(box, 0.4)
    np.testing.assert_allclose(kernel.min(0), [3.36, 3.36])
    np.testing.assert_allclose(kernel.max(0), [36.64, 6.64])
    assert math.isclose(Polygon(kernel).area, 33.28 * 3.28)
    assert shrink_polygon(np.array([[0, 0], [1, 0], [1, 0], [0, 0]], float)) is None


def _results(words, polygons):
    return dict(img=np.zeros((64, 96, 3), np.uint8), words=words,
                polygons=np.array(polygons, np.float32))


def test_kernel_targets_and_ignore_mask_on_the_stride_grid():
    readable = [[2, 4], [30, 4], [30, 14], [2, 14]]  # cell (0, 0)
    unreadable = [[66, 40], [90, 40], [90, 60], [66, 60]]  # '###', cell (1, 2)
    tiny = [[40, 40], [60, 40], [60, 44], [40, 44]]  # 4 px high < 8: ignored, cell (1, 1)
    out = GenerateTextKernels(stride=32)(_results(['cart', '###', 'tent'],
                                                  [readable, unreadable, tiny]))
    np.testing.assert_array_equal(out['gt_text_kernel'], [[1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(out['gt_text_mask'], [[1, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(out['readable'], [True, False, False])
    assert out['gt_text_kernel'].dtype == np.float32


def test_kernels_follow_a_resize_and_the_dictionary():
    results = _results(['cart'], [[[2, 4], [30, 4], [30, 14], [2, 14]]])
    results['img'] = np.zeros((128, 192, 3), np.uint8)
    results['scale_factor'] = (2.0, 2.0)  # polygons are in original pixels
    out = GenerateTextKernels(stride=32)(results)
    # the kernel of the 2x box, x 10.2-53.8 and y 14.2-21.8, spans cells (0, 0) and (0, 1)
    expected = np.zeros((4, 6))
    expected[0, :2] = 1
    np.testing.assert_array_equal(out['gt_text_kernel'], expected)
    out = GenerateTextKernels(stride=32, vocabulary=['cat'])(
        _results(['cart'], [[[2, 4], [30, 4], [30, 14], [2, 14]]]))
    assert not out['readable'][0] and out['gt_text_kernel'].sum() == 0


def test_sample_query_word_picks_a_readable_word_or_skips_the_image():
    results = dict(words=['Cart', 'tent'], readable=np.array([True, False]))
    assert SampleQueryWord()(results)['text'] == 'cart'
    assert SampleQueryWord()(dict(words=['tent'], readable=np.array([False]))) is None


def test_pack_text_retrieval_inputs():
    results = GenerateTextKernels()(_results(['cart'], [[[2, 4], [30, 4], [30, 14], [2, 14]]]))
    results.update(text='cart', img_id=7)
    packed = PackTextRetrievalInputs()(results)
    assert packed['inputs'].shape == (3, 64, 96)
    sample = packed['data_samples']
    assert sample.text == 'cart' and sample.img_id == 7 and sample.words == ['cart']
    assert tuple(sample.gt_text_kernel.shape) == (2, 3)


@pytest.mark.parametrize('word', ['', '###', 'été', '12'])
def test_non_latin_or_empty_words_are_unreadable(word):
    out = GenerateTextKernels()(_results([word], [[[2, 4], [30, 4], [30, 14], [2, 14]]]))
    assert not out['readable'][0]
