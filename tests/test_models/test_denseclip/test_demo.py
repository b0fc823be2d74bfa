"""demo/image_demo.py on a tiny DenseCLIP checkpoint."""

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.testing import add_config_text, load_script


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


def test_demo_refuses_a_checkpoint_of_other_widths(tiny_run, tmp_path):
    """The same head with a 32-wide FPN and decoder: an error naming the keys, not a run."""
    from ovseg.compat import CheckpointMismatchError
    wide = tiny_seg_cfg('rn')
    wide['neck'] = dict(wide['neck'], out_channels=32)
    wide['decode_head'] = dict(wide['decode_head'], in_channels=[32] * 4, channels=32)
    model = build_seg('rn', neck=wide['neck'], decode_head=wide['decode_head'])
    torch.save(dict(state_dict=model.state_dict(), meta=dict(dataset_meta=dict(classes=VOCAB))),
               tmp_path / 'wide.pth')
    with pytest.raises(CheckpointMismatchError, match=r'wide.pth does not fit the model: '
                       r'52 shape-mismatched key\(s\): decode_head\.conv_seg\.weight '
                       r'\(checkpoint \[4, 32, 1, 1\] vs model \[4, 16, 1, 1\]\)') as info:
        _demo().run(str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'),
                    str(tmp_path / 'wide.pth'), out=str(tmp_path / 'out.png'))
    assert any(key.startswith('neck.') for key, *_ in info.value.mismatched)
    assert not (tmp_path / 'out.png').exists()


def test_demo_never_executes_config_text_in_the_checkpoint(tiny_run, tmp_path):
    marker = tmp_path / 'ran'
    checkpoint = torch.load(tiny_run / 'tiny.pth', weights_only=True)
    torch.save(add_config_text(checkpoint, str(marker)), tmp_path / 'hostile.pth')
    out, _ = _demo().run(str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'),
                         str(tmp_path / 'hostile.pth'), out=str(tmp_path / 'out.png'))
    assert cv2.imread(out) is not None and not marker.exists()


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
