"""Text-prompted SAM: prompts from CLIP pixel-text score peaks, one mask per queried class."""
import pytest
import torch

import ovseg.models  # noqa: F401
from ovseg.models.proposals import TextPromptedSAM, score_peaks

_CLIP = dict(type='CLIPViT', model_name='ovseg-tiny-vit', with_embeddings=True)


def test_score_peaks_finds_local_maxima_in_order():
    scores = torch.zeros(2, 8, 8)
    scores[0, 1, 6], scores[0, 5, 2], scores[0, 5, 3] = 0.9, 0.7, 0.6  # (5, 3) is no peak
    scores[1, 7, 0] = 0.4
    coords, values = score_peaks(scores, 2)
    assert coords.shape == (2, 2, 2) and values.shape == (2, 2)
    assert coords[0].tolist() == [[6.0, 1.0], [2.0, 5.0]]
    assert values[0].tolist() == pytest.approx([0.9, 0.7])
    assert coords[1, 0].tolist() == [0.0, 7.0]


def test_score_peaks_repeats_the_best_when_maxima_run_out():
    scores = torch.arange(16.0).view(1, 4, 4)  # one maximum, in the corner
    coords, values = score_peaks(scores, 3)
    assert coords[0].tolist() == [[3.0, 3.0]] * 3 and values[0].tolist() == [15.0] * 3


def _model(tiny_sam, **kwargs):
    torch.manual_seed(0)
    return TextPromptedSAM(clip_backbone=_CLIP, sam=tiny_sam, clip_image_size=32, **kwargs)


def test_prompts_from_score_map(tiny_sam):
    model = _model(tiny_sam, num_points=1, num_negative_points=1, use_box=True,
                   score_scale=1.0)
    scores = torch.full((3, 4, 4), -1.0)
    scores[0, 0, 0] = scores[1, 3, 2] = scores[2, 1, 3] = 1.0
    scores[0, 0, 1] = 0.9  # class 0 also wins the cell right of its peak
    prompts = model.prompts(scores, image_size=(64, 32))  # cells of 8 x 16 pixels
    coords, labels = prompts['point_coords'], prompts['point_labels']
    assert coords.shape == (3, 2, 2) and labels.tolist() == [[1, 0]] * 3
    assert coords[0, 0].tolist() == [4.0, 8.0]  # centre of cell (row 0, col 0)
    assert coords[1, 0].tolist() == [20.0, 56.0]
    assert coords[2, 0].tolist() == [28.0, 24.0]
    assert coords[0, 1].tolist() in (coords[1, 0].tolist(), coords[2, 0].tolist())  # negative
    assert prompts['boxes'][0].tolist() == [0.0, 0.0, 16.0, 16.0]  # two winning cells


def test_one_mask_per_queried_class(tiny_sam):
    model = _model(tiny_sam, use_box=True).eval()
    text = torch.randn(3, 32)
    (out,) = model.predict(torch.rand(1, 3, 64, 64) * 255, None, text)
    assert out.masks.shape == (3, 64, 64)
    assert ((out.masks >= 0) & (out.masks <= 1)).all()
    assert out.labels.tolist() == [0, 1, 2]
    assert out.scores.shape == (3,) and out.point_coords.shape == (3, 2, 2)
    assert out.class_logits.shape == (3, 4) and (out.class_logits[:, -1] == -1e4).all()
    with pytest.raises(ValueError, match='class_embeddings'):
        model.predict(torch.rand(1, 3, 64, 64), None, None)


def test_needs_dense_clip(tiny_sam):
    with pytest.raises(ValueError, match='with_embeddings'):
        TextPromptedSAM(clip_backbone=dict(_CLIP, with_embeddings=False), sam=tiny_sam)


def test_score_map_is_the_shared_pixel_text_score(tiny_sam):
    """The score map is CLIP's normalisation, the dense tower and ``pixel_text_score``."""
    from ovseg.models.clip import normalize_image, pixel_text_score
    model = _model(tiny_sam).eval()
    image = torch.rand(3, 24, 40) * 255
    text = torch.randn(5, 32)
    scores = model.score_map(image, text)
    x = torch.nn.functional.interpolate(image[None], size=(19, 32), mode='bicubic',
                                        align_corners=False)
    with torch.no_grad():
        _, dense = model.clip_backbone(normalize_image(x))[-1]
    torch.testing.assert_close(scores, pixel_text_score(dense, text)[0])
    assert scores.shape == (5, *dense.shape[-2:])
