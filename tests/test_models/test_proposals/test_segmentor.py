"""ProposalSegmentor: stage 1 alone, MaskFormer semantic inference over the vocabulary."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import ovseg.models  # noqa: F401
from ovseg.testing import TINY_SAM_ARCH
from proposal_utils import seg_samples, tiny_backbone_cfg, tiny_mask2former_head_cfg

_TEXT = dict(type='TextClassifier', templates='single',
             text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'))


def _segmentor(generator: dict):
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='ProposalSegmentor', proposal_generator=generator, text_classifier=_TEXT,
        class_names=['cat', 'dog, puppy', 'sky'],
        data_preprocessor=dict(type='SegDataPreProcessor', mean=None, std=None,
                               bgr_to_rgb=True, size_divisor=32)))


def _mask2former():
    return dict(type='MaskFormerProposalGenerator', backbone=tiny_backbone_cfg(),
                head=tiny_mask2former_head_cfg('PromptGuidedMask2FormerHead'))


def test_loss_predict_and_tensor_modes():
    model = _segmentor(_mask2former())
    inputs = torch.rand(2, 3, 64, 64) * 255
    losses = model(inputs, seg_samples(2, 64, 3), mode='loss')
    assert torch.isfinite(sum(losses.values()))
    model.eval()
    samples = [SegDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(50, 40)))
               for _ in range(2)]
    with torch.no_grad():
        results = model(inputs, samples, mode='predict')
        logits = model(inputs, None, mode='tensor')
    assert results[0].pred_sem_seg.shape == (50, 40)
    assert results[0].seg_logits.data.shape == (3, 50, 40)
    assert logits.shape == (2, 3, 64, 64) and model.out_channels == 3
    model.set_vocabulary(['a', 'b', 'c', 'd', 'e'])  # another label set at test time
    with torch.no_grad():
        assert model(inputs, None, mode='tensor').shape == (2, 5, 64, 64)


def test_text_prompted_sam_segments_the_vocabulary():
    clip = dict(type='CLIPViT', model_name='ovseg-tiny-vit', with_embeddings=True)
    model = _segmentor(dict(type='TextPromptedSAM', clip_backbone=clip,
                            sam=dict(TINY_SAM_ARCH), clip_image_size=32)).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 64, 64) * 255, None, mode='tensor').shape == (1, 3, 64, 64)


def test_class_agnostic_generator_is_refused():
    model = _segmentor(dict(type='SAMProposalGenerator', sam=dict(TINY_SAM_ARCH),
                            points_per_side=2)).eval()
    with pytest.raises(ValueError, match='does not classify'):
        model(torch.rand(1, 3, 64, 64) * 255, None, mode='tensor')
    with pytest.raises(RuntimeError, match='vocabulary'):
        MODELS.build(dict(type='ProposalSegmentor', proposal_generator=_mask2former(),
                          text_classifier=_TEXT)).num_vocabulary
