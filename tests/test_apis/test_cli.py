"""ovseg/apis/cli.py through the real entry points: an expected error is one line, no traceback.

tools/test.py and tools/train.py run as subprocesses on a 16-image SynthWorld world with the
tiny ``ovseg-tiny-vit`` CLIP (``ovseg.testing.tiny_run_options``), each with
one bad input. The demo's cases are in tests/test_models/test_denseclip/test_demo.py.
"""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from ovseg.apis.cli import error_line
from ovseg.datasets.synthworld import SceneConfig, generate
from ovseg.testing import (TINY_RUN_CONFIG, save_init_weights_checkpoint, script_env,
                          tiny_run_options)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, TINY_RUN_CONFIG)
VAL_IMAGE = 'img_dir/val/000000.png'


def run_tool(*args):
    env = script_env()
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def assert_one_error_line(proc, *names):
    """Non-zero exit, exactly one non-empty stderr line 'error: ...' naming ``names``."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith('error: ') and all(n in lines[0] for n in names), lines[0]


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """A world and a checkpoint of the config's model (weights from init_weights)."""
    out = tmp_path_factory.mktemp('cli')
    generate(str(out / 'world'), num_train=16, num_val=6, seed=0,
             config=SceneConfig(image_size=64), workers=1, log=lambda *a: None)
    save_init_weights_checkpoint(CONFIG, str(out / 'ck.pth'),
                                 cfg_options=tiny_run_options(str(out / 'world')))
    return out


def _broken_world(world, tmp_path, case):
    copy = tmp_path / 'world'
    shutil.copytree(world / 'world', copy)
    image = copy / VAL_IMAGE
    if case == 'missing':
        image.unlink()
    elif case == 'empty':
        image.write_bytes(b'')
    else:
        image.write_bytes((world / 'world' / VAL_IMAGE).read_bytes()[:100])
    return str(copy), str(image)


def _test(world, *args, data_root=None, checkpoint=None, workers=0, config=CONFIG):
    return run_tool('tools/test.py', config, checkpoint or str(world / 'ck.pth'), *args,
                    '--work-dir', str(world / 'work'), '--cfg-options',
                    *tiny_run_options(data_root or str(world / 'world'), workers=workers))


@pytest.mark.parametrize('vocabulary, names', [
    (',,,', ["',,,'", 'entry 0']), ('', ['empty']), ('a,a', ["'a,a'", 'duplicates'])])
def test_bad_vocabulary_argument(world, vocabulary, names):
    assert_one_error_line(_test(world, '--vocabulary', vocabulary), *names)


def test_missing_checkpoint_and_config(world):
    missing = str(world / 'nothing.pth')
    assert_one_error_line(_test(world, checkpoint=missing), missing)
    missing = str(world / 'nothing.py')
    assert_one_error_line(_test(world, config=missing), missing)


@pytest.mark.slow
@pytest.mark.parametrize('case, workers, reason', [
    ('missing', 0, 'does not exist'), ('empty', 1, 'empty (0 bytes)'),
    ('corrupt', 0, 'not a decodable image')])
def test_unreadable_dataset_image(world, tmp_path, case, workers, reason):
    """One case reads through a DataLoader worker, whose errors torch wraps."""
    data_root, image = _broken_world(world, tmp_path, case)
    assert_one_error_line(_test(world, data_root=data_root, workers=workers), image, reason)


@pytest.mark.slow
def test_vocabulary_size_that_does_not_fit(world):
    assert_one_error_line(_test(world, '--vocabulary', 'a,b'), '2 names', '14 classes')


@pytest.mark.slow
@pytest.mark.parametrize('case, kind', [('truncated', 'is a truncated checkpoint'),
                                        ('text', 'is not a checkpoint: it is a text file')])
def test_not_a_checkpoint(world, tmp_path, case, kind):
    path = tmp_path / f'{case}.pth'
    if case == 'text':
        path.write_text('hello\n')
    else:
        path.write_bytes((world / 'ck.pth').read_bytes()[:3000])
    assert_one_error_line(_test(world, checkpoint=str(path)), str(path), kind)


@pytest.mark.slow
def test_unexpected_error_keeps_its_traceback(world):
    """A config the DataLoader rejects (persistent workers without workers) is not a
    user-input error we know: its traceback stays."""
    proc = run_tool('tools/test.py', CONFIG, str(world / 'ck.pth'), '--work-dir',
                    str(world / 'work'), '--cfg-options', *tiny_run_options(str(world / 'world')),
                    'test_dataloader.persistent_workers=True')
    assert proc.returncode != 0
    assert 'Traceback' in proc.stderr and 'persistent_workers option needs' in proc.stderr
    assert 'error: ' not in proc.stderr.splitlines()[-1]


@pytest.mark.slow
def test_training_on_an_empty_image(world, tmp_path):
    copy = tmp_path / 'world'
    shutil.copytree(world / 'world', copy)
    for name in os.listdir(copy / 'img_dir/train'):
        (copy / 'img_dir/train' / name).write_bytes(b'')
    proc = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'run'),
                    '--cfg-options', *tiny_run_options(str(copy)))
    assert_one_error_line(proc, str(copy / 'img_dir/train'), 'empty (0 bytes)')


def test_error_line_unwraps_dataloader_worker_errors():
    from ovseg.compat import ImageReadError
    wrapped = ImageReadError('Caught ImageReadError in DataLoader worker process 0.\n'
                             'Original Traceback (most recent call last):\n  File "x.py"\n'
                             'ovseg.compat.image.ImageReadError: image a.png does not exist\n')
    assert error_line(wrapped) == 'image a.png does not exist'
    assert error_line(FileNotFoundError(2, 'No such file or directory', 'b.pth')) == \
        'No such file or directory: b.pth'


def test_shared_flags_parse_and_reach_the_environment(monkeypatch):
    """The flags tools/train.py and tools/test.py share come from one helper and act the same."""
    import argparse
    from ovseg.apis.cli import (add_config_arguments, add_unsafe_checkpoint_argument,
                                parse_tool_args)
    from ovseg.compat import ALLOW_UNSAFE_ENV
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    monkeypatch.delenv(ALLOW_UNSAFE_ENV, raising=False)
    parser = add_unsafe_checkpoint_argument(
        add_config_arguments(argparse.ArgumentParser(), work_dir_help='logs', launcher=True))
    args = parse_tool_args(parser, ['c.py', '--work-dir', 'w', '--launcher', 'pytorch',
                                    '--local-rank', '3', '--allow-unsafe-checkpoint',
                                    '--cfg-options', 'a.b=1', 'c=[1,2]'])
    assert (args.config, args.work_dir, args.launcher) == ('c.py', 'w', 'pytorch')
    assert args.cfg_options == {'a.b': 1, 'c': [1, 2]}
    assert os.environ['LOCAL_RANK'] == '3' and os.environ[ALLOW_UNSAFE_ENV] == '1'
    monkeypatch.setenv('LOCAL_RANK', '1')  # torchrun's value wins over the default flag
    monkeypatch.delenv(ALLOW_UNSAFE_ENV)
    args = parse_tool_args(parser, ['c.py'])
    assert os.environ['LOCAL_RANK'] == '1' and ALLOW_UNSAFE_ENV not in os.environ
    assert (args.work_dir, args.launcher, args.cfg_options) == (None, 'none', None)
    with pytest.raises(SystemExit):  # no --work-dir / --launcher unless asked for
        parse_tool_args(add_config_arguments(argparse.ArgumentParser()),
                        ['c.py', '--work-dir', 'w'])
