"""ovseg.models.mask_adapted.mask_classifier: MaskCLIPClassifier's regions, validity and logits."""
import pytest
import torch
import torch.nn.functional as F

from ovseg.models.mask_adapted.mask_classifier import MaskCLIPClassifier

TOWER = dict(type='MaskPromptViT', model_name='ovseg-tiny-vit', prompt_depth=2)


def _inputs():
    torch.manual_seed(0)
    images = torch.rand(2, 3, 40, 48) * 255
    masks = [torch.rand(3, 40, 48), torch.rand(2, 40, 48)]
    masks[0][1] = 0  # empty: invalid
    masks[1][:, 20:] = 0  # the second image is 20 x 48: no mask pixel in its padding
    return images, masks, [(40, 48), (20, 48)]


@pytest.mark.parametrize('mode', ['crop', 'single_pass'])
def test_logits_are_scaled_cosines_and_empty_masks_are_invalid(mode):
    torch.manual_seed(0)
    clf = MaskCLIPClassifier(clip=dict(TOWER, with_embeddings=True), mode=mode,
                             logit_scale=50.0).eval()
    images, masks, sizes = _inputs()
    classes = F.normalize(torch.randn(4, clf.embed_dim), dim=-1)
    with torch.no_grad():
        regions = clf.embed_regions(images, masks, sizes)
        logits = clf(images, masks, classes, sizes)
    for (embeddings, valid), (scores, same_valid), image_masks in zip(regions, logits, masks):
        assert embeddings.shape == (image_masks.shape[0], clf.embed_dim)
        assert torch.equal(valid, same_valid) and torch.equal(valid, image_masks.amax((1, 2)) > 0.4)
        assert torch.allclose(embeddings[valid].norm(dim=-1), torch.ones(int(valid.sum())))
        assert not embeddings[~valid].any()
        assert torch.allclose(scores, 50.0 * embeddings @ classes.t(), atol=1e-5)


def test_crop_chunks_do_not_change_the_embeddings():
    torch.manual_seed(0)
    whole = MaskCLIPClassifier(clip=TOWER, chunk_size=64).eval()
    chunked = MaskCLIPClassifier(clip=TOWER, chunk_size=1).eval()
    chunked.load_state_dict(whole.state_dict())
    images, masks, sizes = _inputs()
    with torch.no_grad():
        for (a, _), (b, _) in zip(whole.embed_regions(images, masks, sizes),
                                  chunked.embed_regions(images, masks, sizes)):
            assert torch.allclose(a, b, atol=1e-5)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        MaskCLIPClassifier(clip=TOWER, mode='dense')
    with pytest.raises(ValueError, match='with_embeddings=True'):
        MaskCLIPClassifier(clip=TOWER, mode='single_pass')
    with pytest.raises(ValueError, match='box_scale'):
        MaskCLIPClassifier(clip=TOWER, box_scale=0)


def test_context_crops_of_a_resnet_tower():
    """Crop mode on a ResNet CLIP (global embedding, no mask prompts), with the square
    context crops of the SynthWorld CLIP's zero-shot evaluation: the crop options reach the
    crops (the embedding equals that of the crop made by hand)."""
    from ovseg.models.clip.normalization import normalize_image
    torch.manual_seed(0)
    tower = dict(type='CLIPResNet', model_name='ovseg-tiny-rn', with_embeddings=True)
    clf = MaskCLIPClassifier(clip=tower, box_scale=1.2, square_crop=True, mean_fill=False).eval()
    assert clf.crop_size == 32
    images = torch.rand(1, 3, 40, 48) * 255
    masks = torch.zeros(1, 40, 48)
    masks[0, 10:30, 20:25] = 1  # 20 x 5: square side 24 about (22.5, 20): x from round(10.5)
    with torch.no_grad():
        ((regions, valid),) = clf.embed_regions(images, [masks])
        crop = normalize_image(images[0])[:, 8:32, 10:34]  # the 24 x 24 context box
        crop = F.interpolate(crop[None], size=(32, 32), mode='bicubic', align_corners=False)
        expected = F.normalize(clf.clip(crop)[-1][0], dim=-1)
        tight = MaskCLIPClassifier(clip=tower).eval()
        tight.load_state_dict(clf.state_dict())
        ((tight_regions, _),) = tight.embed_regions(images, [masks])
    assert valid.tolist() == [True]
    torch.testing.assert_close(regions, expected, atol=1e-5, rtol=1e-4)
    assert not torch.allclose(regions, tight_regions, atol=1e-3)
