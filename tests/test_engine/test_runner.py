"""OVSegRunner: no config text from a checkpoint runs; test/val load weights strictly.

Every runner entry point that reads a checkpoint (``tools/train.py --resume``, training with
``load_from``, ``tools/test.py``) gets a weights-only-clean checkpoint whose stored config texts
(``meta.config``, which mmengine's ``resume`` executes, ``meta.cfg`` and
``message_hub.runtime_info.cfg``) are Python that writes a marker file when executed. The model
is the tiny SynthWorld CLIP setup of ``ovseg.testing.tiny_run_options``.
"""
import os.path as osp
import subprocess
import sys

import pytest
import torch

from ovseg.datasets.synthworld import SceneConfig, generate
from ovseg.compat import ALLOW_UNSAFE_ENV, safe_torch_load
from ovseg.testing import TINY_RUN_CONFIG, add_config_text, script_env, tiny_run_options

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, TINY_RUN_CONFIG)
pytestmark = pytest.mark.slow


def hostile_checkpoint(src: str, dst: str, marker: str, extra: str = '') -> str:
    """``src`` with every stored config text replaced by code that writes ``marker``."""
    torch.save(add_config_text(safe_torch_load(src), marker, extra), dst)
    return dst


def _options(world, max_iters):
    """The tiny SynthWorld CLIP run of the tool tests, checkpointing every 2 iterations."""
    return tiny_run_options(world, max_iters=max_iters, log_interval=5, checkpoint_interval=2)


def _run(args):
    env = script_env()
    env.pop(ALLOW_UNSAFE_ENV, None)  # the caller's opt-in must not switch off the refusals tested
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """(world, work_dir) of a 2-iteration tiny run with its iter_2.pth."""
    out = tmp_path_factory.mktemp('runner')
    world = str(out / 'world')
    generate(world, num_train=16, num_val=6, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    work_dir = str(out / 'run')
    proc = _run(['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                 *_options(world, 2)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return world, work_dir


def test_hostile_checkpoint_is_weights_only_clean(trained, tmp_path):
    marker = tmp_path / 'ran'
    path = hostile_checkpoint(osp.join(trained[1], 'iter_2.pth'), str(tmp_path / 'h.pth'),
                              str(marker))
    text = safe_torch_load(path)['meta']['config']  # loads weights-only, nothing refused
    assert not marker.exists()
    from mmengine.config import Config
    Config.fromstring(text, file_format='.py')  # what mmengine's resume does with it
    assert marker.exists()  # the payload is live: the tests below are not vacuous


def _resume_hostile(trained, tmp_path, extra=''):
    """tools/train.py --resume of iter_2.pth with hostile config text; (process, marker)."""
    world, work_dir = trained
    marker = tmp_path / 'ran'
    path = hostile_checkpoint(osp.join(work_dir, 'iter_2.pth'), str(tmp_path / 'h.pth'),
                              str(marker), extra=extra)
    return _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'resumed'), '--resume',
                 path, '--cfg-options', *_options(world, 3)]), marker


def test_resume_never_executes_the_stored_config(trained, tmp_path):
    proc, marker = _resume_hostile(trained, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert not marker.exists()


def test_resume_checks_gpu_count_without_executing(trained, tmp_path):
    """mmengine's GPU-count check still works, on the value parsed from the text."""
    proc, marker = _resume_hostile(trained, tmp_path, extra='gpu_ids = [0, 1]\n')
    assert proc.returncode != 0
    assert 'trained on 2 GPUs, this run uses 1' in proc.stderr
    assert not marker.exists()


def test_load_from_and_test_never_execute_the_stored_config(trained, tmp_path):
    world, work_dir = trained
    marker = tmp_path / 'ran'
    path = hostile_checkpoint(osp.join(work_dir, 'iter_2.pth'), str(tmp_path / 'h.pth'),
                              str(marker))
    proc = _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'finetune'),
                 '--cfg-options', *_options(world, 1), f'load_from={path}'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = _run(['tools/test.py', CONFIG, path, '--work-dir', str(tmp_path / 'test'),
                 '--cfg-options', *_options(world, 2)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'zero_shot/top1' in proc.stdout + proc.stderr  # the right checkpoint still tests
    assert not marker.exists()


def _other_widths_checkpoint(path: str) -> str:
    """A ContrastiveCLIP checkpoint of the same config with the wider synthworld-vit-s."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    import ovseg.models  # noqa: F401
    cfg = Config.fromfile(CONFIG)
    cfg.model.model_name = 'synthworld-vit-s'
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        model = MODELS.build(cfg.model)
    torch.save(dict(meta=dict(iter=2), state_dict=model.state_dict()), path)
    return path


def test_checkpoint_of_other_widths_fails_test_naming_keys(trained, tmp_path):
    world, _ = trained
    path = _other_widths_checkpoint(str(tmp_path / 'wide.pth'))
    proc = _run(['tools/test.py', CONFIG, path, '--work-dir', str(tmp_path / 'test'),
                 '--cfg-options', *_options(world, 2)])
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    error = [line for line in proc.stderr.splitlines() if line.startswith('error: ')]
    assert len(error) == 1 and 'wide.pth does not fit the model' in error[0]
    assert 'shape-mismatched key(s): visual.' in error[0]
    assert 'zero_shot/top1' not in proc.stdout + proc.stderr  # no metrics from a random model


def test_training_load_from_stays_non_strict_and_logs_the_keys(trained, tmp_path):
    world, _ = trained
    path = _other_widths_checkpoint(str(tmp_path / 'wide.pth'))
    proc = _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'finetune'),
                 '--cfg-options', *_options(world, 1), f'load_from={path}'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'Loaded non-strictly;' in log and 'wide.pth does not fit the model' in log
    assert '60 unexpected key(s): visual.transformer.resblocks.2.' in log
