"""tools/train.py, tools/test.py and tools/dist_train.sh end to end on a tiny SynthWorld run.

The model is the real SynthWorld CLIP pretraining config (captions recipe, one dataset) with
the tiny ``ovseg-tiny-vit`` architecture and 32 px inputs, on a 16-image world generated into a
temporary folder.
"""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from ovseg.datasets.synthworld import SceneConfig, generate
from ovseg.testing import (TINY_RUN_CONFIG, kill_after_first_checkpoint, script_env,
                          tiny_run_options)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, TINY_RUN_CONFIG)
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthworld')
    generate(str(out), num_train=16, num_val=6, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    return str(out)


def _options(world, *, max_iters):
    return tiny_run_options(world, max_iters=max_iters, log_interval=5, checkpoint_interval=10)


def _run(args, **kwargs):
    env = script_env()
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, **kwargs)


def _train_losses(work_dir):
    """(iteration, loss) pairs of every run in ``work_dir``, in run order."""
    pairs = []
    for run in sorted(d for d in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, d))):
        scalars = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        with open(scalars) as f:
            pairs += [(r['iter'], r['loss']) for r in map(json.loads, f) if 'loss' in r]
    return pairs


def test_train_loss_falls_and_test_cli(world, tmp_path):
    work_dir = str(tmp_path / 'run')
    proc = _run(['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                 *_options(world, max_iters=20)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = _train_losses(work_dir)
    assert {5, 10, 15, 20} <= {it for it, _ in losses} and losses[-1][0] == 20
    assert losses[-1][1] < losses[0][1]
    assert osp.isfile(osp.join(work_dir, 'iter_20.pth'))

    vocab = tmp_path / 'vocab.txt'
    with open(osp.join(world, 'annotations', 'instances_val.json')) as f:
        names = [c['name'] for c in json.load(f)['categories']]
    vocab.write_text('\n'.join(f'{n}, a {n} shape' for n in names))
    proc = _run(['tools/test.py', CONFIG, osp.join(work_dir, 'iter_20.pth'), '--work-dir',
                 str(tmp_path / 'test'), '--vocabulary', str(vocab), '--cfg-options',
                 *_options(world, max_iters=20)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'zero_shot/top1_unseen' in proc.stdout + proc.stderr


def test_resume_after_interrupt_continues_at_checkpoint(world, tmp_path):
    work_dir = str(tmp_path / 'run')
    args = ['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
            *_options(world, max_iters=30)]
    env = script_env()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = kill_after_first_checkpoint(proc, work_dir)  # interrupt the run
    resumed_iter = int(osp.basename(checkpoint)[len('iter_'):-len('.pth')])
    assert resumed_iter < 30

    proc = _run([*args[:4], '--resume', *args[4:]])
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert f'resumed epoch: 0, iter: {resumed_iter}' in log
    new_run_iters = [it for it, _ in _train_losses(work_dir) if it > resumed_iter]
    assert resumed_iter < new_run_iters[0] <= resumed_iter + 5 and new_run_iters[-1] == 30
    assert osp.isfile(osp.join(work_dir, 'iter_30.pth'))


def test_two_process_training_with_gloo(world, tmp_path):
    work_dir = str(tmp_path / 'ddp')
    env = script_env(PYTHON=sys.executable, PORT='29731')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir, '--cfg-options',
         *_options(world, max_iters=10), 'train_dataloader.batch_size=4'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'Distributed training: True' in log and 'gloo' in log
    assert osp.isfile(osp.join(work_dir, 'iter_10.pth'))
