"""Tests for ovseg/models/attributes/crops.py."""
import warnings

import pytest
import torch

from ovseg.models.attributes import clip_boxes, crop_boxes, enlarge_boxes


def test_enlarge_boxes_scales_around_the_centre_and_clips():
    boxes = torch.tensor([[10.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 10.0]])
    # 20x10 box x1.5 -> 30x15 around (20, 25); the second is clipped at the image's corner
    assert enlarge_boxes(boxes, 1.5, 40, 50).tolist() == [[5, 17, 35, 33], [0, 0, 13, 13]]
    assert enlarge_boxes(boxes, torch.tensor([1.0, 1.0]), 40, 50).tolist() == [
        [10, 20, 30, 30], [0, 0, 10, 10]]


@pytest.mark.parametrize('box', [[5.0, 5.0, 5.0, 9.0], [60.0, 0.0, 70.0, 10.0]])
def test_box_without_area_in_the_image_is_an_error(box):
    with pytest.raises(ValueError, match='box 0 .* no area'):
        enlarge_boxes(torch.tensor([box]), 1.0, 40, 50)


def test_crop_keeps_aspect_and_centre_pads():
    image = torch.zeros(3, 40, 60, dtype=torch.uint8)
    image[:, 10:20, 20:40] = 200  # a 20 x 10 (w x h) block
    crop = crop_boxes(image, torch.tensor([[20.0, 10.0, 40.0, 20.0]]), size=16,
                      pad_value=(1, 2, 3))
    assert crop.shape == (1, 3, 16, 16) and crop.dtype == torch.uint8
    # 20x10 -> 16x8, rows 4..11 hold the block, 4 rows of padding above and below
    assert (crop[0, :, 4:12] == 200).all()
    for rows in (slice(0, 4), slice(12, 16)):
        assert crop[0, :, rows].flatten(1).tolist() == [[1] * 64, [2] * 64, [3] * 64]


def test_crops_are_deterministic_for_a_fixed_scale():
    image = torch.randint(0, 256, (3, 48, 64), dtype=torch.uint8)
    boxes = torch.tensor([[3.0, 4.0, 30.0, 20.0], [40.0, 10.0, 60.0, 47.0]])
    first = crop_boxes(image, boxes, size=24, scales=1.1)
    assert torch.equal(first, crop_boxes(image, boxes, size=24, scales=1.1))
    # one batched call equals one call per box
    assert torch.equal(first[1:], crop_boxes(image, boxes[1:], size=24, scales=1.1))


def test_clip_boxes_clips_to_the_image_and_skips_boxes_with_nothing_left():
    boxes = torch.tensor([[-5.0, 2.0, 10.0, 8.0],  # crosses the left border: clipped
                          [3.0, 3.0, 3.0, 9.0],  # degenerate (no width)
                          [60.0, 0.0, 70.0, 10.0],  # right of the 40x50 image
                          [8.0, 9.0, 2.0, 12.0],  # x2 < x1
                          [0.0, 0.0, float('nan'), 5.0],  # not finite
                          [40.0, 30.0, 80.0, 60.0]])  # crosses the bottom-right corner
    with pytest.warns(UserWarning) as caught:
        kept, index = clip_boxes(boxes, 40, 50, image='scene.png')
    assert index.tolist() == [0, 5]
    assert kept.tolist() == [[0.0, 2.0, 10.0, 8.0], [40.0, 30.0, 50.0, 40.0]]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 6
    for box, message in zip((1, 2, 3, 4), messages):
        assert message.startswith(f'box {box} ') and 'of scene.png' in message
        assert 'skipped' in message
    assert messages[4:] == [
        'box 0 [-5.0, 2.0, 10.0, 8.0] of scene.png crosses the border of the 40x50 image: '
        'clipped to [0.0, 2.0, 10.0, 8.0]',
        'box 5 [40.0, 30.0, 80.0, 60.0] of scene.png crosses the border of the 40x50 image: '
        'clipped to [40.0, 30.0, 50.0, 40.0]']


def test_clip_boxes_of_good_boxes_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        kept, index = clip_boxes(torch.tensor([[1.0, 2.0, 3.0, 4.0]]), 10, 10)
    assert kept.tolist() == [[1.0, 2.0, 3.0, 4.0]] and index.tolist() == [0]
    kept, index = clip_boxes(torch.zeros(0, 4), 10, 10)
    assert kept.shape == (0, 4) and index.shape == (0,)
