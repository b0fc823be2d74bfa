"""Masked-region views: the crop the two-stage test makes, named for CLIP pretraining."""
import numpy as np
import pytest
import torch

import ovseg.datasets  # noqa: F401  (registers the transforms)
from ovseg.datasets.synthworld import SYNTHWORLD_SEG_CLASSES
from ovseg.datasets.transforms import RandomMaskedRegionView
from ovseg.models.clip import CLIP_MEAN, denormalize_image
from ovseg.models.utils import crop_masked_regions


def _scene():
    """48 x 64 BGR image: a red block (label 3, star) on sand (label 19), unlabelled corner."""
    img = np.zeros((48, 64, 3), np.uint8)
    img[:] = (80, 160, 200)  # sand, BGR
    img[10:30, 20:44] = (0, 0, 255)  # red
    labels = np.full((48, 64), SYNTHWORLD_SEG_CLASSES.index('sand'), np.uint8)
    labels[10:30, 20:44] = SYNTHWORLD_SEG_CLASSES.index('star')
    labels[:4, :4] = 255
    return img, labels


def test_view_is_the_two_stage_crop_of_the_drawn_label():
    img, labels = _scene()
    view = RandomMaskedRegionView(size=32, flip_prob=0.0)
    seen = set()
    for seed in range(20):
        np.random.seed(seed)
        out = view(dict(img=img.copy(), gt_seg_map=labels))
        name = SYNTHWORLD_SEG_CLASSES[out['region_label']]
        assert out['text'] == f'a {name}'
        assert out['img'].shape == (32, 32, 3) and out['img_shape'] == (32, 32)
        rgb = torch.from_numpy(img[..., ::-1].copy()).permute(2, 0, 1).float()
        mask = torch.from_numpy(labels == out['region_label'])[None].float()
        expected = crop_masked_regions(rgb, mask, size=32).crops[0]
        got = out['img'][..., ::-1].astype(np.float32)
        reference = denormalize_image(expected).permute(1, 2, 0).round().clamp(0, 255).numpy()
        np.testing.assert_allclose(got, reference, atol=1)
        seen.add(name)
    assert seen == {'star', 'sand'}  # both labels drawn, never the ignored corner


def test_star_view_is_red_on_mean_fill():
    img, labels = _scene()
    labels = labels.copy()
    labels[labels == SYNTHWORLD_SEG_CLASSES.index('sand')] = 255  # only the star is left
    out = RandomMaskedRegionView(size=16, flip_prob=0.0)(dict(img=img, gt_seg_map=labels))
    assert out['text'] == 'a star'
    # the tight box is the red block itself: every pixel red (BGR)
    assert (out['img'][2:-2, 2:-2] == (0, 0, 255)).all()


def test_sand_region_is_mean_filled_where_the_star_was():
    img, labels = _scene()
    labels = labels.copy()
    labels[labels == SYNTHWORLD_SEG_CLASSES.index('star')] = 255
    out = RandomMaskedRegionView(size=48, flip_prob=0.0, min_area=1)(
        dict(img=img, gt_seg_map=labels))
    assert out['text'] == 'a sand'
    centre = out['img'][20, 24][::-1].astype(float)  # RGB of the star's place
    np.testing.assert_allclose(centre, CLIP_MEAN, atol=1)


def test_small_regions_are_skipped_and_none_left_gives_none():
    img, labels = _scene()
    tiny = np.full_like(labels, 255)
    tiny[0:5, 0:5] = 0  # 25 pixels
    assert RandomMaskedRegionView(min_area=64)(dict(img=img, gt_seg_map=tiny)) is None
    out = RandomMaskedRegionView(min_area=25, size=8)(dict(img=img, gt_seg_map=tiny))
    assert out['text'] == 'a circle'


def test_unknown_label_names_the_file():
    img, labels = _scene()
    labels = labels.copy()
    labels[:] = 30
    with pytest.raises(ValueError, match=r"x\.png.*\[30\]"):
        RandomMaskedRegionView()(dict(img=img, gt_seg_map=labels, seg_map_path='x.png'))
