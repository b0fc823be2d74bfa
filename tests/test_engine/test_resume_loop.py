"""Exact resume: a training process killed with SIGKILL after a checkpoint and resumed with
``tools/train.py --resume`` logs the uninterrupted run's losses bit for bit, and resuming
loads no trained batch.

The run is the SynthWorld DenseCLIP ViT config on the tiny ``ovseg-tiny-vit`` CLIP with
random augmentation (RandomResize, RandomCrop, RandomFlip), dropout (context decoder, FPN
head) and drop path (backbone), on a 16-image world, validating right after the checkpoint.
"""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from ovseg.datasets.synthworld import SceneConfig, generate

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/denseclip/denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py')
MAX_ITERS, CHECKPOINT = 10, 4
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthworld')
    generate(str(out), num_train=16, num_val=2, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    return str(out)


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


def _losses(work_dir):
    """{iteration: loss} of every run in ``work_dir`` (a later run wins)."""
    losses = {}
    for run in sorted(d for d in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, d))):
        with open(osp.join(work_dir, run, 'vis_data', 'scalars.json')) as f:
            losses.update((r['iter'], r['loss']) for r in map(json.loads, f) if 'loss' in r)
    return losses


@pytest.mark.parametrize('num_workers', [0, 2])
def test_killed_and_resumed_run_repeats_losses_bit_for_bit(world, tmp_path, num_workers):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')

    def args(work_dir):
        return ['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                *_options(world, num_workers=num_workers)]

    full = str(tmp_path / 'full')
    proc = subprocess.run([sys.executable, *args(full)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]

    killed = str(tmp_path / 'killed')
    proc = subprocess.Popen([sys.executable, *args(killed)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = osp.join(killed, 'last_checkpoint')
    deadline = time.time() + 120
    while not osp.exists(last) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open(last) as f:
        assert f.read().strip().endswith(f'iter_{CHECKPOINT}.pth')
    resume = args(killed)
    proc = subprocess.run([sys.executable, *resume[:4], '--resume', *resume[4:]], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed epoch: 0, iter: {CHECKPOINT}' in proc.stdout + proc.stderr

    expected, resumed = _losses(full), _losses(killed)
    assert sorted(expected) == list(range(1, MAX_ITERS + 1))
    later = list(range(CHECKPOINT + 1, MAX_ITERS + 1))
    assert [resumed[i] for i in later] == [expected[i] for i in later]
