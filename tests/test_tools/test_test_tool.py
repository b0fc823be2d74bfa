"""tools/test.py without a checkpoint: a zero-shot head evaluated with the weights its config
names (``init_weights``), by weights name from the cache.

The config is the SynthWorld "GT masks + CLIP" evaluation (zero-shot OVSeg stage 2) with the
tiny ``ovseg-tiny-vit`` CLIP registered in the test's weights cache under the name the config
reads ('synthworld-vit-s-regions'), on an 8-image world.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from ovseg.utils.weights import CACHE_ENV, register_weights

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/mask_adapted/ovseg_gt-masks_synthclip-vit-s_synthworld-160.py')
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def world(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=2, num_val=8, seed=0, config=SceneConfig(image_size=64), workers=1,
             log=lambda *a: None)
    return root


def _options(world: str):
    opts = ['model.mask_classifier.clip.model_name=ovseg-tiny-vit',
            'model.mask_classifier.clip.prompt_depth=2',
            'model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
            'model.text_classifier.templates=single']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={world}', f'{loader}.batch_size=2',
                 f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return opts


def _run(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _metrics(work_dir: str) -> dict:
    """The evaluation's metrics (timings left out; NaN as a string, so that NaN == NaN)."""
    (log,) = glob.glob(osp.join(work_dir, '*', '*.json'))
    with open(log) as f:
        metrics = json.loads(f.read().splitlines()[-1])
    return {k: str(v) for k, v in metrics.items() if k not in ('time', 'data_time')}


def test_zero_shot_head_without_checkpoint_matches_the_converted_checkpoint(
        world, tmp_path, tiny_vit_checkpoint):
    register_weights('synthworld-vit-s-regions', tiny_vit_checkpoint)
    options = _options(world)
    # the old two steps: the init_weights model saved as a checkpoint, then evaluated
    ckpt = str(tmp_path / 'zero_shot.pth')
    proc = _run('tools/convert/pretrained_to_checkpoint.py', CONFIG, ckpt,
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = _run('tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'two_steps'),
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # one step
    proc = _run('tools/test.py', CONFIG, '--work-dir', str(tmp_path / 'one_step'),
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'No checkpoint given: initialising the weights with init_weights' in proc.stdout
    two_steps, one_step = _metrics(str(tmp_path / 'two_steps')), _metrics(str(tmp_path / 'one_step'))
    assert float(one_step['aAcc']) > 0, one_step  # the CLIP labels some pixels right
    assert one_step == two_steps


def test_missing_weights_name_is_one_error_line(world, tmp_path, monkeypatch):
    empty = str(tmp_path / 'empty_cache')
    monkeypatch.setenv(CACHE_ENV, empty)
    proc = _run('tools/test.py', CONFIG, '--work-dir', str(tmp_path / 'work'),
                '--cfg-options', *_options(world))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith('error: ') and lines[0].endswith(
        f"weights 'synthworld-vit-s-regions' are not in {empty} (set {CACHE_ENV} to use another "
        'folder): run `python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-'
        'regions-96.py`'), lines[0]
