"""demo/image_demo.py on a tiny DenseCLIP checkpoint."""

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.testing import load_script


def _demo():
    return load_script('demo/image_demo.py')


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo')
    cfg = dict(model=tiny_seg_cfg('rn'), default_scope='mmseg',
               test_pipeline=[dict(type='LoadImageFromFile'), dict(type='PackSegInputs')])
    Config(cfg).dump(str(root / 'tiny.py'))
    model = build_seg('rn')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=VOCAB, palette=[[255, 0, 0]] * 4))),
               root / 'tiny.pth')
    image = np.random.default_rng(0).integers(0, 255, (40, 56, 3), dtype=np.uint8)
    cv2.imwrite(str(root / 'img.png'), image)
    return root


@pytest.mark.parametrize('vocabulary, num', [(None, len(VOCAB)), ('sun,moon,star,sea,sky', 5)])
def test_demo_writes_overlay_and_scores(tiny_run, tmp_path, vocabulary, num):
    demo = _demo()
    out, scores = demo.run(str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'),
                           str(tiny_run / 'tiny.pth'), vocabulary=vocabulary,
                           out=str(tmp_path / 'out.png'))
    overlay = cv2.imread(out)
    assert overlay.shape[0] >= 40 and overlay.shape[1] > 56  # image plus legend
    grid = cv2.imread(scores)
    cols = int(np.ceil(np.sqrt(num)))
    assert grid.shape[1] == cols * 160  # landscape tiles are 160 px wide


def test_score_grid_and_overlay_helpers():
    demo = _demo()
    grid = demo.score_grid(np.random.rand(5, 10, 20), list('abcde'), tile=40)
    assert grid.shape == (2 * (20 + 20), 3 * 40, 3)
    img = np.zeros((10, 10, 3), np.uint8)
    labels = np.zeros((10, 10), np.int64)
    labels[:, 5:] = 2
    out = demo.overlay_with_legend(img, labels, ['a', 'b', 'c'], demo.palette(3), 1.0)
    assert tuple(out[0, 0]) == demo.palette(3)[0] and tuple(out[0, 9]) == demo.palette(3)[2]


@pytest.mark.parametrize('args, names', [
    (['--vocabulary', ',,,'], ["',,,'", 'entry 0']), (['--vocabulary', ''], ['empty']),
    (['--vocabulary', 'a,a'], ["'a,a'", 'duplicates']), (['--empty-image'], ['empty (0 bytes)'])])
def test_demo_bad_input_is_one_error_line(tiny_run, tmp_path, args, names):
    from test_apis.test_cli import assert_one_error_line, run_tool
    image = str(tiny_run / 'img.png')
    if args == ['--empty-image']:
        image, args = str(tmp_path / 'empty.png'), []
        open(image, 'wb').close()
        names = [image, *names]
    proc = run_tool('demo/image_demo.py', image, str(tiny_run / 'tiny.py'),
                    str(tiny_run / 'tiny.pth'), '--out', str(tmp_path / 'out.png'), *args)
    assert_one_error_line(proc, *names)
