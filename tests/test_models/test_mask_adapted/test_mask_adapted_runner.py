"""SynthWorld end to end on tiny CLIPs: GT-mask evaluation, mining, fine-tuning, evaluation."""
import os.path as osp
import runpy
import sys

import pytest
import torch

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIGS = osp.join(REPO, 'configs', 'mask_adapted')
EVAL = osp.join(CONFIGS, 'ovseg_gt-masks_synthclip-vit-s_synthworld-160.py')
MPT = osp.join(CONFIGS, 'mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py')
MPT_EVAL = osp.join(CONFIGS, 'ovseg_gt-masks_synthclip-vit-s-mpt_synthworld-160.py')
TINY = dict(model_name='ovseg-tiny-vit', pretrained=None)


@pytest.fixture(scope='module')
def synthworld_root(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=4, num_val=2, seed=0, config=SceneConfig(image_size=64), workers=1)
    return root


def _loaders(cfg, root=None, **dataset):
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(name) is None:
            continue
        if root is not None:
            cfg[name].dataset.data_root = root
        cfg[name].dataset.update(dataset)
        cfg[name].update(batch_size=2, num_workers=0, persistent_workers=False)


def _two_stage_cfg(config, root, work_dir, weights=None):
    from ovseg.apis import load_config
    cfg = load_config(config, work_dir=work_dir)
    cfg.model.mask_classifier.clip.update(TINY, prompt_depth=2)
    cfg.model.text_classifier.text_encoder.update(TINY)
    cfg.model.text_classifier.templates = 'single'
    if weights:
        cfg.model.mask_classifier.clip.pretrained = weights
        cfg.model.text_classifier.text_encoder.pretrained = weights
    _loaders(cfg, root)
    return cfg


@pytest.mark.slow
def test_gt_mask_evaluation_through_runner(synthworld_root, tmp_path):
    from mmengine.runner import Runner
    cfg = _two_stage_cfg(EVAL, synthworld_root, str(tmp_path))
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert {'mIoU', 'mIoU_seen', 'mIoU_unseen'} <= set(metrics)
    assert len(runner.model.vocabulary) == 21 and ',' in runner.model.vocabulary[0]


@pytest.mark.slow
def test_mine_finetune_and_evaluate(synthworld_root, tmp_path, monkeypatch):
    from mmengine.runner import Runner
    from ovseg.apis import load_config
    pairs = str(tmp_path / 'pairs')
    overrides = ['model.mask_classifier.clip.model_name=ovseg-tiny-vit',
                 'model.mask_classifier.clip.pretrained=None',
                 'model.mask_classifier.clip.prompt_depth=2',
                 'model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
                 'model.text_classifier.text_encoder.pretrained=None',
                 'model.text_classifier.templates=single']
    for split, extra in (('train', []), ('val', ['--labelled'])):
        monkeypatch.setattr(sys, 'argv', [
            'mine_region_pairs.py', EVAL, '--captions',
            osp.join(synthworld_root, 'annotations', f'captions_{split}.json'),
            '--img-dir', osp.join(synthworld_root, 'img_dir', split),
            '--seg-dir', osp.join(synthworld_root, 'ann_dir', split),
            '--out', osp.join(pairs, f'{split}_pairs' if split == 'train' else 'val_gt'),
            *extra, '--cfg-options', *overrides])
        runpy.run_path(osp.join(REPO, 'tools', 'mine_region_pairs.py'), run_name='__main__')
    assert osp.isfile(osp.join(pairs, 'train_pairs', 'pairs.tsv'))

    cfg = load_config(MPT, work_dir=str(tmp_path / 'mpt'))
    cfg.model.image_tower.update(TINY, prompt_depth=2)
    cfg.model.text_encoder.update(TINY)
    cfg.model.templates = 'single'
    _loaders(cfg, pairs)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset.pipeline[2].size = 32
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=2)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=2, by_epoch=False)
    cfg.log_processor = dict(by_epoch=False)
    runner = Runner.from_cfg(cfg)
    before = runner.model.image_tower.visual.conv1.weight.detach().clone()
    prompts = runner.model.image_tower.mask_embedding.detach().clone()
    runner.train()
    model = runner.model
    assert torch.equal(model.image_tower.visual.conv1.weight, before)  # CLIP frozen
    assert not torch.equal(model.image_tower.mask_embedding, prompts)  # prompts learnt
    metrics = runner.val_loop.run()
    assert {'zero_shot/top1', 'zero_shot/top1_unseen'} <= set(metrics)
    exported = str(tmp_path / 'mpt' / 'mask_adapted_clip.pt')
    assert osp.isfile(exported)

    eval_cfg = _two_stage_cfg(MPT_EVAL, synthworld_root, str(tmp_path / 'eval'), exported)
    runner = Runner.from_cfg(eval_cfg)
    runner.model.init_weights()
    torch.testing.assert_close(runner.model.mask_classifier.clip.mask_embedding,
                               model.image_tower.mask_embedding)
    assert runner.model.mask_classifier.clip.use_mask_prompt
    assert 'mIoU_unseen' in runner.test()
