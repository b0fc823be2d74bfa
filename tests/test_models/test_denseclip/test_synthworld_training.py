"""A SynthWorld DenseCLIP config trains and validates through the mmengine Runner."""
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIG = osp.join(REPO, 'configs', 'denseclip',
                  'denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py')


@pytest.fixture(scope='module')
def synthworld_root(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=4, num_val=2, seed=0, config=SceneConfig(image_size=64), workers=1)
    return root


def _small_run_cfg(config: str, root: str, work_dir: str):
    from ovseg.apis import load_config
    cfg = load_config(config, work_dir=work_dir)
    cfg.model.backbone.pretrained = None
    if 'text_encoder' in cfg.model:
        cfg.model.text_encoder.pretrained = None
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 2
    cfg.param_scheduler = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
        cfg[loader].batch_size = 2
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.visualization = dict(type='SegVisualizationHook')
    return cfg


@pytest.mark.slow
def test_runner_trains_and_reports_seen_unseen(synthworld_root, tmp_path):
    from mmengine.runner import Runner
    cfg = _small_run_cfg(CONFIG, synthworld_root, str(tmp_path))
    runner = Runner.from_cfg(cfg)
    runner.train()
    model = runner.model
    assert model.num_vocabulary == 21 and ',' in model.vocabulary[0]  # synonyms from metainfo
    metrics = runner.val_loop.run()
    assert {'mIoU', 'mIoU_seen', 'mIoU_unseen', 'hIoU'} <= set(metrics)
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))


@pytest.mark.slow
def test_cli_test_with_score_map(synthworld_root, tmp_path):
    """tools/test.py evaluates a trained checkpoint, here from the pixel-text score map alone."""
    from mmengine.runner import Runner
    cfg = _small_run_cfg(CONFIG, synthworld_root, str(tmp_path))
    cfg.train_cfg.max_iters = 1
    cfg.default_hooks.checkpoint.interval = 1
    Runner.from_cfg(cfg).train()
    ckpt = osp.join(str(tmp_path), 'iter_1.pth')
    cmd = [sys.executable, osp.join(REPO, 'tools', 'test.py'), CONFIG, ckpt,
           '--work-dir', str(tmp_path / 'test'), '--cfg-options',
           f'test_dataloader.dataset.data_root={synthworld_root}',
           'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
           'model.backbone.pretrained=None', 'model.text_encoder.pretrained=None',
           'model.test_cfg.predict_from=score_map']
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'mIoU_unseen' in out.stdout + out.stderr


@pytest.mark.slow
def test_runner_trains_detector(synthworld_root, tmp_path):
    from mmengine.runner import Runner
    config = osp.join(REPO, 'configs', 'denseclip',
                      'denseclip-retinanet_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py')
    cfg = _small_run_cfg(config, synthworld_root, str(tmp_path))
    cfg.default_hooks.visualization = dict(type='DetVisualizationHook')
    cfg.model.test_cfg.score_thr = 0.0  # an untrained head scores below the default 0.05
    for name in ('val_evaluator', 'test_evaluator'):
        cfg[name].ann_file = osp.join(synthworld_root, 'annotations', 'instances_val.json')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.model.num_vocabulary == 14
    assert 'coco/bbox_mAP' in runner.val_loop.run()
