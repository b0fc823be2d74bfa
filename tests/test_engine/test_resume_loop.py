"""Exact resume: a training process killed with SIGKILL after a checkpoint and resumed with
``tools/train.py --resume`` logs the uninterrupted run's losses bit for bit, and resuming
loads no trained batch.

The run is the SynthWorld DenseCLIP ViT config on the tiny ``ovseg-tiny-vit`` CLIP with
random augmentation (RandomResize, RandomCrop, RandomFlip), dropout (context decoder, FPN
head) and drop path (backbone), on a 16-image world, validating right after the checkpoint.
"""
import os.path as osp
import subprocess
import sys

import pytest

from ovseg.datasets.synthworld import SceneConfig, generate
from ovseg.testing import kill_after_first_checkpoint, logged_losses, script_env
from ovseg.testing.scripts import REPO_ROOT as ROOT

CONFIG = osp.join(ROOT, 'configs', 'denseclip',
                  'denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py')
MAX_ITERS, CHECKPOINT = 8, 4
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def world(tmp_path_factory) -> str:
    """A 16-image SynthWorld (2 validation images) at 64 px."""
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=16, num_val=2, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    return root


def _options(world, *, num_workers):
    opts = ['model.backbone.model_name=ovseg-tiny-vit', 'model.backbone.pretrained=None',
            'model.backbone.out_indices=(0,1,1,1)', 'model.backbone.drop_path_rate=0.2',
            'model.text_encoder.model_name=ovseg-tiny-vit', 'model.text_encoder.pretrained=None',
            'model.score_concat_index=1', 'model.neck.out_channels=16',
            'model.decode_head.in_channels=[16,16,16,16]', 'model.decode_head.channels=16',
            'model.context_decoder.transformer_layers=1', 'model.data_preprocessor.size=(32,32)',
            'train_dataloader.batch_size=2', f'train_cfg.max_iters={MAX_ITERS}',
            f'train_cfg.val_interval={CHECKPOINT}', 'log_processor.window_size=1',
            'default_hooks.logger.interval=1', f'default_hooks.checkpoint.interval={CHECKPOINT}',
            'train_dataloader.dataset.pipeline.2.scale=(48,48)',
            'train_dataloader.dataset.pipeline.3.crop_size=(32,32)',
            f'train_dataloader.num_workers={num_workers}',
            f'train_dataloader.persistent_workers={num_workers > 0}']
    for loader in ('train_dataloader', 'val_dataloader'):
        opts += [f'{loader}.dataset.data_root={world}']
    opts += ['val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False']
    return opts


def _train_args(world, work_dir, *, num_workers):
    return ['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
            *_options(world, num_workers=num_workers)]


@pytest.fixture(scope='module')
def uninterrupted(world, tmp_path_factory):
    """{iteration: loss} of the uninterrupted run, data loaded in the main process."""
    work_dir = str(tmp_path_factory.mktemp('uninterrupted'))
    proc = subprocess.run([sys.executable, *_train_args(world, work_dir, num_workers=0)],
                          cwd=ROOT, env=script_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = logged_losses(work_dir)
    assert sorted(losses) == list(range(1, MAX_ITERS + 1))
    return losses


def test_killed_and_resumed_run_repeats_losses_bit_for_bit(world, uninterrupted, tmp_path):
    """SIGKILL after the checkpoint, ``--resume``; 2 loader workers (the reference used none)."""
    work_dir = str(tmp_path / 'killed')
    args = _train_args(world, work_dir, num_workers=2)
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=script_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert kill_after_first_checkpoint(proc, work_dir).endswith(f'iter_{CHECKPOINT}.pth')
    proc = subprocess.run([sys.executable, *args[:4], '--resume', *args[4:]], cwd=ROOT,
                          env=script_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed epoch: 0, iter: {CHECKPOINT}' in proc.stdout + proc.stderr
    losses = logged_losses(work_dir)
    # iterations 1..4 (before the kill): workers augment as the main process does;
    # 5..8 (resumed): the uninterrupted run's losses, bit for bit
    assert [losses[i] for i in range(1, MAX_ITERS + 1)] == \
        [uninterrupted[i] for i in range(1, MAX_ITERS + 1)]


def test_resume_loads_no_trained_batch(world, uninterrupted, tmp_path, monkeypatch):
    """In-process resume with ``num_workers=0``: only untrained samples reach the dataset."""
    from mmengine.dataset import BaseDataset

    from ovseg.apis import build_runner
    from ovseg.testing import import_tool
    load_config_with_options = import_tool('benchmarks.common').load_config_with_options

    options = _options(world, num_workers=0)
    cfg = load_config_with_options(CONFIG, options + [f'train_cfg.max_iters={CHECKPOINT}'])
    cfg.work_dir = str(tmp_path)
    build_runner(cfg).train()  # stops at the checkpoint (the last iteration here)

    loaded = []
    get_item = BaseDataset.__getitem__
    monkeypatch.setattr(BaseDataset, '__getitem__',
                        lambda self, idx: loaded.append(int(idx)) or get_item(self, idx))
    cfg = load_config_with_options(CONFIG, options)
    cfg.work_dir, cfg.resume = str(tmp_path), True
    build_runner(cfg).train()
    # batches of 2: iterations 5..8, and the validation at 8 (2 images)
    assert len(loaded) == 2 * (MAX_ITERS - CHECKPOINT) + 2
    losses = logged_losses(str(tmp_path))
    assert [losses[i] for i in range(1, MAX_ITERS + 1)] == \
        [uninterrupted[i] for i in range(1, MAX_ITERS + 1)]
