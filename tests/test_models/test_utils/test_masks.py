import torch

from ovseg.models.clip import CLIP_MEAN, denormalize_image, normalize_image
from ovseg.models.utils import compose_semantic, crop_masked_regions, label_map_masks


def test_crop_geometry_fill_and_validity():
    image = torch.rand(3, 30, 40) * 255
    masks = torch.zeros(3, 30, 40)
    masks[0, 4:20, 10:14] = 0.9          # tall thin region
    masks[0, 10, 12] = 0.3                # below threshold: background
    masks[1, 2:30, 0:40] = 0.35           # soft, all below 0.4: invalid
    masks[2, 25:27, 30:39] = 1
    out = crop_masked_regions(image, masks, size=16, mask_threshold=0.4)
    assert out.valid.tolist() == [True, False, True]
    assert out.crops.shape == (2, 3, 16, 16) and out.region_masks.shape == (2, 16, 16)
    # tight inclusive boxes (x1, y1, x2, y2)
    assert out.boxes.tolist() == [[10, 4, 13, 19], [30, 25, 38, 26]]
    # aspect ratio not kept: a 16x4 region fills the whole 16x16 crop
    assert out.region_masks[1].all()
    # at the box's own size the resize is the identity: the hole (a pixel below the
    # threshold) holds the mean pixel, exactly 0 after normalisation; the rest is the image
    same = crop_masked_regions(image, masks[:1], size=(16, 4))
    assert same.region_masks[0].sum() == 16 * 4 - 1 and same.region_masks[0, 6, 2] == 0
    assert torch.all(same.crops[0, :, 6, 2] == 0)
    expected = normalize_image(image)[:, 4:20, 10:14]
    keep = same.region_masks[0].bool()
    torch.testing.assert_close(same.crops[0][:, keep], expected[:, keep])
    # far from the region (bicubic support all background) the upsampled fill stays 0
    wide = torch.zeros(1, 30, 40)
    wide[0, 0:2, 0:2] = 1
    wide[0, 28:30, 38:40] = 1
    big = crop_masked_regions(image, wide, size=64)
    assert torch.all(big.crops[0, :, 20:44, 20:44] == 0)
    assert torch.all(normalize_image(torch.tensor(CLIP_MEAN).view(3, 1, 1)) == 0)


def test_crop_is_bicubic_resize_of_normalised_masked_box():
    image = torch.rand(3, 20, 20) * 255
    masks = torch.zeros(1, 20, 20)
    masks[0, 5:15, 2:10] = 1
    out = crop_masked_regions(image, masks, size=(12, 12))
    expected = torch.nn.functional.interpolate(
        normalize_image(image)[None, :, 5:15, 2:10], size=(12, 12), mode='bicubic',
        align_corners=False)
    torch.testing.assert_close(out.crops, expected)
    back = denormalize_image(out.crops[0])
    assert back.shape == (3, 12, 12)


def test_square_scaled_box_with_context():
    image = torch.rand(3, 30, 40) * 255
    masks = torch.zeros(2, 30, 40)
    masks[0, 10:20, 16:20] = 1  # 10 x 4 region, centre (18, 15)
    masks[1, 0:4, 0:6] = 1  # at the corner: the scaled box reaches outside the image
    out = crop_masked_regions(image, masks, size=(12, 12), box_scale=1.2, square=True,
                              mean_fill=False)
    # square side 1.2 x 10 = 12 about the centre; the second: side 1.2 x 6 = 7.2 -> 7
    assert out.boxes.tolist() == [[12, 9, 23, 20], [-1, -2, 5, 4]]
    # at the box's size the resize is the identity: the context is kept (no mean fill)
    torch.testing.assert_close(out.crops[0], normalize_image(image)[:, 9:21, 12:24])
    assert out.region_masks[0].sum() == 40 and out.region_masks[0, 1:11, 4:8].all()
    # outside the image: the mean pixel (0), region mask 0
    corner = crop_masked_regions(image, masks[1:], size=(7, 7), box_scale=1.2, square=True,
                                 mean_fill=False)
    assert torch.all(corner.crops[0, :, :2] == 0) and torch.all(corner.crops[0, :, :, 0] == 0)
    torch.testing.assert_close(corner.crops[0, :, 2:, 1:], normalize_image(image)[:, 0:5, 0:6])
    assert corner.region_masks[0].sum() == 24 and corner.region_masks[0, 2:6, 1:7].all()
    # mean fill with the scaled box: context gone, region kept
    filled = crop_masked_regions(image, masks[:1], size=(12, 12), box_scale=1.2, square=True)
    assert torch.all(filled.crops[0][:, ~out.region_masks[0].bool()] == 0)
    torch.testing.assert_close(filled.crops[0][:, out.region_masks[0].bool()],
                               out.crops[0][:, out.region_masks[0].bool()])


def test_no_valid_masks_gives_empty_batch():
    out = crop_masked_regions(torch.rand(3, 8, 8), torch.zeros(2, 8, 8), size=4)
    assert out.crops.shape == (0, 3, 4, 4) and out.valid.tolist() == [False, False]
    out = crop_masked_regions(torch.rand(3, 8, 8), torch.zeros(0, 8, 8), size=4)
    assert out.crops.shape[0] == 0 and out.valid.shape == (0,)


def test_compose_semantic_is_weighted_sum():
    probs = torch.tensor([[0.9, 0.1], [0.2, 0.7]])
    masks = torch.zeros(2, 4, 5)
    masks[0, :, :2] = 1.0
    masks[1, :, 2:] = 0.8
    sem = compose_semantic(probs, masks)
    assert sem.shape == (2, 4, 5)
    torch.testing.assert_close(sem[:, 0, 0], torch.tensor([0.9, 0.1]))
    torch.testing.assert_close(sem[:, 0, 4], torch.tensor([0.16, 0.56]))
    assert sem.argmax(0)[0].tolist() == [0, 0, 1, 1, 1]
    assert compose_semantic(probs[:0], masks[:0]).abs().sum() == 0


def test_label_map_masks_one_per_present_label_without_ignore():
    label_map = torch.tensor([[3, 3, 255], [0, 3, 0]])
    masks, labels = label_map_masks(label_map)
    assert labels.tolist() == [0, 3] and masks.dtype == torch.bool
    assert masks[0].tolist() == [[False, False, False], [True, False, True]]
    assert masks[1].tolist() == [[True, True, False], [False, True, False]]
    masks, labels = label_map_masks(label_map, ignore_index=3)
    assert labels.tolist() == [0, 255]
