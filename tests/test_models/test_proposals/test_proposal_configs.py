"""Every proposal config builds offline (pretrained weights off, no checkpoint loading)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from segment_anything import sam_model_registry

import ovseg.models  # noqa: F401
from ovseg.datasets.synthworld.vocab import seg_metainfo
from ovseg.testing import TINY_SAM_ARCH

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'proposals', '*.py')))
GENERATOR_BASES = sorted(glob.glob(osp.join(REPO, 'configs', '_base_', 'models',
                                            'proposals_*.py')))


def _offline(cfg: dict) -> dict:
    """Pretrained CLIP off; SAM replaced by the tiny one (vit_b itself is built once below)."""
    if isinstance(cfg, dict):
        if cfg.get('type') in ('OVCLIPTextEncoder', 'CLIPViT'):
            cfg['pretrained'] = None
        if cfg.get('type') in ('SAMProposalGenerator', 'TextPromptedSAM'):
            cfg['sam'] = dict(TINY_SAM_ARCH)
        for value in cfg.values():
            _offline(value)
    return cfg


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    init_default_scope('mmseg')
    cfg = Config.fromfile(path)
    model = MODELS.build(_offline(cfg.to_dict()['model']))
    assert type(model).__name__ == 'ProposalSegmentor'
    assert {'test_cfg', 'test_dataloader', 'test_evaluator'} <= set(cfg)
    if 'train_cfg' in cfg:  # trainable generators
        assert hasattr(model.proposal_generator, 'loss')


@pytest.mark.parametrize('path', GENERATOR_BASES, ids=osp.basename)
def test_generator_bases(path):
    cfg = Config.fromfile(path).to_dict()
    generator = cfg['model']['proposal_generator'] if 'model' in cfg else cfg['proposal_generator']
    if generator['type'] in ('SAMProposalGenerator', 'TextPromptedSAM'):
        assert generator['sam'] in sam_model_registry and generator['checkpoint'].endswith('.pth')


def test_sam_vit_b_generator_builds():
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models', 'proposals_sam-vit-b.py'))
    generator = MODELS.build(cfg.proposal_generator)  # no I/O until init_weights()
    assert generator.sam.image_encoder.img_size == 1024
    assert len(generator.sam.image_encoder.blocks) == 12
    assert generator.amg_cfg['points_per_batch'] == 16


def test_synthworld_configs_train_on_seen_classes_only():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'proposals',
                                   'pmp_r18-w16_1xb8-1k_synthworld-128x128.py'))
    meta = seg_metainfo()
    seen = [c for c, s in zip(meta['classes'], meta['seen']) if s]
    synonyms = [n for n, s in zip(meta['class_synonyms'], meta['seen']) if s]
    train_meta = cfg.train_dataloader.dataset.metainfo
    assert list(train_meta.classes) == seen and list(train_meta.class_synonyms) == synonyms
    assert 'metainfo' not in cfg.val_dataloader.dataset  # validation: all 21 classes
    placements = {Config.fromfile(p).model.proposal_generator.head.placement
                  for p in CONFIGS if 'synthworld' in p}
    assert placements == {'after_cross', 'after_self', 'before_cross', 'none'}
