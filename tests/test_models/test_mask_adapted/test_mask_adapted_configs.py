"""Every mask-adapted config builds offline (pretrained weights off), like mmseg's test_config."""
import glob
import os.path as osp

import pytest

from ovseg.models.clip import VILD_TEMPLATES, get_templates
from ovseg.testing import build_config_model

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mask_adapted', '*.py')))


def test_configs_found():
    assert len(CONFIGS) >= 8


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_builds_offline(path):
    cfg, model = build_config_model(path)
    assert 'val_dataloader' in cfg and 'test_evaluator' in cfg
    assert any(h['type'] == 'VocabularyHook' for h in cfg.custom_hooks)
    if type(model).__name__ == 'MaskAdaptedCLIP':
        trainable = {n.split('.')[0] if n != 'image_tower.mask_embedding' else n
                     for n, p in model.named_parameters() if p.requires_grad}
        expected = {'prompt': {'image_tower.mask_embedding', 'logit_scale'},
                    'image': {'image_tower', 'logit_scale'}}[model.trainable]
        assert trainable == expected
        assert model.image_tower.prompt_depth == 3
        assert cfg.train_cfg.max_epochs == 5
    else:
        assert type(model).__name__ == 'TwoStageOVSegmentor'
        # OVSeg prompts with ViLD's templates; a SynthWorld text tower reads SynthWorld's words
        expected = (get_templates('synthworld') if 'synthclip' in osp.basename(path)
                    else VILD_TEMPLATES)
        assert model.text_classifier.templates == expected
        assert model.mask_classifier.mask_threshold in (0.35, 0.4)  # demo / Swin-B config


def test_vit_b16_prompt_shape_and_lr():
    folder = osp.join(REPO, 'configs', 'mask_adapted')
    cfg, model = build_config_model(
        osp.join(folder, 'mask-adapted-clip-mpt_vit-b16_4xb32-5e_coco-captions-224.py'))
    assert model.image_tower.mask_embedding.shape == (3, 196, 768)
    assert cfg.optim_wrapper.optimizer.lr == 2e-2 and cfg.optim_wrapper.optimizer.weight_decay == 0
    cfg, _ = build_config_model(
        osp.join(folder, 'mask-adapted-clip-ft_vit-b16_4xb128-5e_coco-captions-224.py'))
    assert cfg.optim_wrapper.optimizer.lr == 5e-6 and cfg.optim_wrapper.optimizer.weight_decay == 0.2


@pytest.mark.parametrize('path', [p for p in CONFIGS if 'ade20k' in osp.basename(p)],
                         ids=lambda p: osp.basename(p))
def test_ade20k_configs_forward_mask_prompts_as_released(path):
    """OVSeg's released configs set MASK_PROMPT_FWD: True (depth 3)."""
    _, model = build_config_model(path)
    clip = model.mask_classifier.clip
    assert clip.use_mask_prompt and clip.prompt_depth == 3


def test_released_ovseg_config_keeps_comma_names_whole():
    """OVSeg formats 'road, route' into each template as one string; so does its config."""
    from mmengine.config import Config
    from mmengine.registry import MODELS

    from ovseg.testing import TINY_VIT
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mask_adapted',
                                   'ovseg_sam-vit-b_clip-vit-b16_ade20k-640.py'))
    text_cfg = cfg.model.text_classifier
    assert text_cfg.synonyms == 'whole'
    text_cfg.text_encoder = dict(type='OVCLIPTextEncoder', model_name=TINY_VIT)
    classifier = MODELS.build(text_cfg)
    classifier.set_vocabulary(['road, route', 'sky'])
    assert classifier._tokens.shape[0] == 2 * len(VILD_TEMPLATES)  # one prompt per template
    assert classifier().shape == (2, 32)
