"""Tests for ovseg/datasets/transforms/attribute_crops.py."""
import numpy as np
import pytest

from ovseg.datasets.transforms import CropBoxRegion, PackAttributeInputs


def _results(seed=0):
    image = np.random.default_rng(seed).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    return dict(img=image, bbox=[5.0, 6.0, 25.0, 30.0], attribute_targets=np.array([1, 0, -1]),
                bbox_label=3, img_id=7)


def test_test_crop_is_deterministic():
    crop = CropBoxRegion(size=24, scale=1.1)
    first, second = crop(_results()), crop(_results())
    assert first['img'].shape == (24, 24, 3) and first['img'].dtype == np.uint8
    assert np.array_equal(first['img'], second['img']) and first['crop_scale'] == 1.1


def test_training_crop_scale_is_random_in_range():
    crop = CropBoxRegion(size=24, scale=(1.0, 1.2))
    np.random.seed(0)
    scales = [crop(_results())['crop_scale'] for _ in range(20)]
    assert all(1.0 <= s <= 1.2 for s in scales) and len(set(scales)) == 20


def test_padding_is_the_clip_mean_in_bgr():
    results = _results()
    results['bbox'] = [0.0, 0.0, 50.0, 10.0]  # wide box: padding above and below
    crop = CropBoxRegion(size=20, scale=1.0)(results)['img']
    assert crop[0, 0].tolist() == [104, 117, 123]


def test_pack_gives_labels_and_label_spaces():
    packed = PackAttributeInputs(label_spaces=('attribute',))(
        CropBoxRegion(size=24)(_results()))
    sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 24, 24)
    assert sample.gt_attributes.tolist() == [1, 0, -1] and int(sample.gt_label) == 3
    assert sample.label_spaces == ('attribute',) and sample.img_id == 7
    unlabelled = PackAttributeInputs(num_attributes=2)(dict(img=np.zeros((4, 4, 3), np.uint8)))
    assert unlabelled['data_samples'].gt_attributes.tolist() == [-1, -1]
    assert int(unlabelled['data_samples'].gt_label) == -1


def test_bad_arguments_are_errors():
    with pytest.raises(ValueError, match='label_spaces'):
        PackAttributeInputs(label_spaces=('attributes',))
    with pytest.raises(ValueError, match='scale'):
        CropBoxRegion(size=24, scale=(1.2, 1.0))
    with pytest.raises(KeyError, match='attribute_targets'):
        PackAttributeInputs()(dict(img=np.zeros((4, 4, 3), np.uint8)))
