"""tools/calibrate.py: the seen-class penalty tuned on held-out train images of a tiny world,
with the two-stage GT-mask config of the RN CLIP (the tiny ``ovseg-tiny-rn`` registered under
the name the config reads)."""
import os
import os.path as osp
import re
import runpy
import subprocess
import sys

import pytest

from ovseg.utils.weights import register_weights

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/mask_adapted/ovseg_gt-masks_synthclip-rn-s_synthworld-160.py')
pytestmark = pytest.mark.slow


def _run(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, 'tools/calibrate.py', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _options(world):
    return ['model.mask_classifier.clip.model_name=ovseg-tiny-rn',
            'model.text_classifier.text_encoder.model_name=ovseg-tiny-rn',
            'model.text_classifier.templates=single',
            f'test_dataloader.dataset.data_root={world}', 'test_dataloader.batch_size=2',
            'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False']


def test_calibrate_prints_a_row_per_gamma_and_the_choice(synthworld_64, tmp_path,
                                                          tiny_rn_checkpoint):
    register_weights('synthworld-rn-s', tiny_rn_checkpoint)
    work = str(tmp_path / 'work')
    proc = _run(CONFIG, '--work-dir', work, '--gammas', '0', '1000', '--held-out', '10:14',
                '--cfg-options', *_options(synthworld_64))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "held-out train images 10:14: {'images': 4" in proc.stdout
    rows = dict(re.findall(r'^\| (\d+)(?: \(chosen\))? \| ([\d.na]+) \|', proc.stdout, re.M))
    assert set(rows) == {'0', '1000'}, proc.stdout[-2000:]
    # gamma 1000: every proposal is named with an unseen class, no seen pixel is right
    assert float(rows['1000']) == 0.0 and float(rows['0']) > 0
    assert re.search(r'chosen gamma: (0|1000) \(tools/test.py', proc.stdout)
    assert sorted(os.listdir(osp.join(work, 'heldout_labels')))[0] == '000010.png'


def test_bad_held_out_is_one_error_line(synthworld_64, tmp_path, monkeypatch, capsys):
    # in-process (runpy), so the refusal costs no interpreter start
    monkeypatch.setattr(sys, 'argv', ['tools/calibrate.py', CONFIG, '--work-dir',
                                      str(tmp_path / 'w'), '--held-out', '10:99',
                                      '--cfg-options', *_options(synthworld_64)])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(osp.join(ROOT, 'tools/calibrate.py'), run_name='__main__')
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert exit_info.value.code == 1 and len(lines) == 1, lines
    assert lines[0].startswith('error: held-out indices [16, 17'), lines[0]


def test_no_seen_split_is_one_error_line(synthworld_64, tmp_path):
    # the config names no seen_classes (the dataset's flags are the default): a dataset
    # without 'seen' flags is refused before any gamma is tested. In a subprocess: the refusal
    # comes after the runner's logger is set up, whose stream must not outlive this test.
    proc = _run(CONFIG, '--work-dir', str(tmp_path / 'w'), '--held-out', '10:12',
                '--cfg-options', *_options(synthworld_64),
                'test_dataloader.dataset.metainfo.seen=None')
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and len(lines) == 1, lines
    assert "metainfo has no 'seen' flags; set model.test_cfg.seen_classes" in lines[0], lines[0]
