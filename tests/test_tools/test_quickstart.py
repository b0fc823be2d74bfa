"""tools/quickstart.py: an existing world is reused only when it has the quickstart's counts
and was written by this version of the generator; the console shows a line and a bar per step,
the tools' output goes to log files, and a failing step shows its log's tail."""
import json
import sys

import pytest

from ovseg.datasets.synthworld.generate import FORMAT_VERSION
from ovseg.testing import load_script


def test_world_is_regenerated_unless_its_counts_and_version_match(tmp_path):
    quickstart = load_script('tools/quickstart.py')
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps(dict(quickstart.WORLD, image_size=160, version=FORMAT_VERSION)))
    assert quickstart._world_matches(str(meta))
    older = {k: v for k, v in quickstart.WORLD.items() if k != 'num_closeup'}  # no close-ups
    meta.write_text(json.dumps(dict(older, version=FORMAT_VERSION)))
    assert not quickstart._world_matches(str(meta))
    meta.write_text(json.dumps(dict(quickstart.WORLD, version=FORMAT_VERSION - 1)))
    assert not quickstart._world_matches(str(meta))


def test_data_root_reaches_every_dataset_of_the_clip_config():
    from argparse import Namespace

    from mmengine.config import Config
    quickstart = load_script('tools/quickstart.py')
    cfg = Config.fromfile(f'{quickstart.ROOT}/{quickstart.CLIP_CONFIG}')
    cfg.merge_from_dict(dict(option.split('=') for option in
                             quickstart._data_root_options(Namespace(data_root='elsewhere'))))
    train = cfg.train_dataloader.dataset
    for dataset in train.get('datasets', [train]) + [cfg.val_dataloader.dataset,
                                                       cfg.test_dataloader.dataset]:
        assert dataset.data_root == 'elsewhere'
    assert 'data_root' not in train or 'datasets' not in train  # no key on a ConcatDataset


def test_results_table_names_the_prompts(tmp_path):
    quickstart = load_script('tools/quickstart.py')
    text = quickstart.write_results(str(tmp_path / 'results.md'),
                                    {'zero_shot/top1_unseen': 34.08, 'other/x': 1.0,
                                     'denseclip/mIoU_unseen': 2.5}, 60.0)
    assert '(prompt templates: `synthworld`)' in text
    assert f'weights `{quickstart.DENSECLIP_WEIGHTS}`' in text and '| mIoU_unseen | 2.50 |' in text
    assert '| top1_unseen | 34.08 |' in text and 'other' not in text
    assert (tmp_path / 'results.md').read_text() == text


def test_progress_lines_of_the_tools_are_parsed():
    quickstart = load_script('tools/quickstart.py')
    parse = quickstart.parse_progress
    assert parse('12/06 03:40:51 - mmengine - INFO - Iter(train) [ 10/420]  lr: 2e-4') == (
        'train', 10, 420)
    assert parse('... - Iter(test) [50/200]    eta: 0:00:10') == ('test', 50, 200)
    assert parse('[synthworld] closeup: 7/2000 images') == ('closeup', 7, 2000)
    assert parse("[synthworld] train: wrote {'images': 12}") is None
    assert parse('Loads checkpoint by _local backend from path: x/iter_420.pth') is None


# A quickstart small enough for a test: 12 train images, the quickstart's CLIP config for 20
# iterations of batch 8 (the real tools run; only the world's counts and the budget shrink).
TINY_WORLD = dict(num_train=12, num_val=6, num_closeup=12, seed=0)
TINY_CLIP = """_base_ = [{config!r}]
max_iters = 20
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=5),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=5, end=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
"""
# ... and the quickstart's DenseCLIP config for 4 iterations of batch 2.
TINY_DENSECLIP = """_base_ = [{config!r}]
train_cfg = dict(max_iters=4, val_interval=4)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4)]
default_hooks = dict(checkpoint=dict(interval=4))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=6, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
"""


def _tiny_quickstart(tmp_path, monkeypatch, *options: str):
    """tools/quickstart.py as a module set up for :data:`TINY_WORLD`, and its argv."""
    quickstart = load_script('tools/quickstart.py')
    config = tmp_path / 'tiny_clip.py'
    config.write_text(TINY_CLIP.format(config=f'{quickstart.ROOT}/{quickstart.CLIP_CONFIG}'))
    monkeypatch.setattr(quickstart, 'WORLD', TINY_WORLD)
    monkeypatch.setattr(quickstart, 'CLIP_CONFIG', str(config))
    seg_config = tmp_path / 'tiny_denseclip.py'
    seg_config.write_text(TINY_DENSECLIP.format(
        config=f'{quickstart.ROOT}/{quickstart.DENSECLIP_CONFIG}'))
    monkeypatch.setattr(quickstart, 'DENSECLIP_CONFIG', str(seg_config))
    work_dir = tmp_path / 'work'
    monkeypatch.setattr(sys, 'argv', ['quickstart.py', '--work-dir', str(work_dir),
                                      '--data-root', str(tmp_path / 'world'), *options])
    return quickstart, work_dir


@pytest.mark.slow
def test_console_shows_a_line_per_step_and_the_table_and_the_logs_keep_the_rest(
        tmp_path, monkeypatch, capfd):
    quickstart, work_dir = _tiny_quickstart(tmp_path, monkeypatch)
    quickstart.main()
    out, err = capfd.readouterr()
    # one line per step, one bar per step (tqdm redraws it with '\r'), the table, the end
    assert (out + err).count('\n') <= 40, out + err
    for step in ('world', 'clip', 'zero-shot', 'denseclip'):
        log = work_dir / 'logs' / f'{step}.log'
        assert f'[quickstart] step {step}: ' in out and f'(log: {log})' in out
        assert log.stat().st_size > 0
    assert 'Iter(train) [20/20]' in (work_dir / 'logs' / 'clip.log').read_text()
    assert 'Iter(train)' not in out + err and 'mmengine' not in out + err
    assert '| top1_unseen |' in out and f'full logs in {work_dir / "logs"}' in out
    assert '| mIoU_seen |' in out and 'Saving checkpoint at 4 iterations' in (
        work_dir / 'logs' / 'denseclip.log').read_text()
    # the web demo serves the segmentation model the quickstart registered, by its zoo name
    app = load_script('demo/app.py')
    name = quickstart.DENSECLIP_WEIGHTS
    assert name in app.available_models()
    image = str(tmp_path / 'world' / 'img_dir' / 'val' / '000000.png')
    shown = app.segment(image, 'circle, sky, grass', name, app.ModelCache(app.available_models()))
    assert shown.message.startswith('Classes found: ') and shown.overlay is not None


@pytest.mark.slow
def test_failing_step_prints_the_tail_of_its_log(tmp_path, monkeypatch, capfd):
    quickstart, work_dir = _tiny_quickstart(tmp_path, monkeypatch, '--steps', 'zero-shot')
    not_a_checkpoint = tmp_path / 'iter_20.pth'
    not_a_checkpoint.write_text('not a checkpoint')
    (work_dir / 'synthclip-rn-s').mkdir(parents=True)
    (work_dir / 'synthclip-rn-s' / 'last_checkpoint').write_text(str(not_a_checkpoint))
    with pytest.raises(SystemExit) as exit_info:
        quickstart.main()
    log = work_dir / 'logs' / 'zero-shot.log'
    out, err = capfd.readouterr()
    assert f'full log: {log}' in str(exit_info.value)
    # the tool's own one-line error, from the tail of the log, reaches the console
    error = [line for line in log.read_text().splitlines() if line.startswith('error: ')]
    assert error and error[-1] in err
    assert f'lines of {log}:' in err
