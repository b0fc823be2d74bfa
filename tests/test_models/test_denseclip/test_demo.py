"""demo/image_demo.py (a wrapper of OVSegInferencer) on a tiny DenseCLIP checkpoint: files
written for an image and a folder, score maps, strict checkpoint loading, one-line errors."""
import json

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
    (root / 'folder').mkdir()
    cv2.imwrite(str(root / 'img.png'), image)
    for name in ('a', 'b'):
        cv2.imwrite(str(root / 'folder' / f'{name}.png'), image)
    return root


@pytest.mark.parametrize('vocabulary, num', [(None, len(VOCAB)), ('sun,moon,star,sea,sky', 5)])
def test_demo_writes_label_maps_json_overlay_and_scores(tiny_run, tmp_path, vocabulary, num):
    args = [str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'), str(tiny_run / 'tiny.pth'),
            '--out-dir', str(tmp_path), '--score-maps']
    result = _demo().main(args + (['--vocabulary', vocabulary] if vocabulary else []))
    labels = cv2.imread(str(tmp_path / 'preds' / 'img.png'), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(labels, result['predictions'][0]['sem_seg'])
    info = json.loads((tmp_path / 'preds' / 'img.json').read_text())
    assert (info['height'], info['width']) == (40, 56) and len(info['classes']) == num
    overlay = cv2.imread(str(tmp_path / 'vis' / 'img.png'))
    assert overlay.shape[0] >= 40 and overlay.shape[1] > 56  # image plus legend
    grid = cv2.imread(str(tmp_path / 'vis' / 'img_scores.png'))
    cols = int(np.ceil(np.sqrt(num)))
    assert grid.shape[1] == cols * 160  # landscape tiles are 160 px wide


def test_demo_on_a_folder_in_batches(tiny_run, tmp_path):
    result = _demo().main([str(tiny_run / 'folder'), str(tiny_run / 'tiny.py'),
                           str(tiny_run / 'tiny.pth'), '--out-dir', str(tmp_path),
                           '--batch-size', '2', '--vocabulary', 'cat,dog'])
    assert [p['image_path'].rsplit('/', 1)[1] for p in result['predictions']] == ['a.png',
                                                                                  'b.png']
    assert sorted(f.name for f in (tmp_path / 'preds').iterdir()) == [
        'a.json', 'a.png', 'b.json', 'b.png']
    assert sorted(f.name for f in (tmp_path / 'vis').iterdir()) == ['a.png', 'b.png']


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
        _demo().main([str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'),
                      str(tmp_path / 'wide.pth'), '--out-dir', str(tmp_path / 'out')])
    assert any(key.startswith('neck.') for key, *_ in info.value.mismatched)
    assert not (tmp_path / 'out').exists()


def test_demo_never_executes_config_text_in_the_checkpoint(tiny_run, tmp_path):
    marker = tmp_path / 'ran'
    checkpoint = torch.load(tiny_run / 'tiny.pth', weights_only=True)
    torch.save(add_config_text(checkpoint, str(marker)), tmp_path / 'hostile.pth')
    _demo().main([str(tiny_run / 'img.png'), str(tiny_run / 'tiny.py'),
                  str(tmp_path / 'hostile.pth'), '--out-dir', str(tmp_path / 'out')])
    assert cv2.imread(str(tmp_path / 'out' / 'vis' / 'img.png')) is not None
    assert not marker.exists()


@pytest.mark.parametrize('args, names', [
    (['--vocabulary', ',,,'], ["',,,'", 'entry 0']), (['--vocabulary', ''], ['empty']),
    (['--vocabulary', 'a,a'], ["'a,a'", 'duplicates']), (['--empty-image'], ['empty (0 bytes)']),
    (['--model', 'no-such-model'], ["unknown model 'no-such-model'", 'synthworld-denseclip-rn-s']),
    (['--model', 'synthworld-pmp-r18'], ["weights 'synthworld-pmp-r18' are not in", 'run `python '
                                         'tools/train.py configs/proposals/pmp_r18-w16_1xb8-1k_'
                                         'synthworld-128x128.py`']),
    (['--score-maps', '--proposals'], ['proposals needs a two-stage model'])])
def test_demo_bad_input_is_one_error_line(tiny_run, tmp_path, args, names):
    from test_apis.test_cli import assert_one_error_line, run_tool
    image, model = str(tiny_run / 'img.png'), [str(tiny_run / 'tiny.py'),
                                               str(tiny_run / 'tiny.pth')]
    if args == ['--empty-image']:
        image, args = str(tmp_path / 'empty.png'), []
        open(image, 'wb').close()
        names = [image, *names]
    if args[:1] == ['--model']:
        model, args = [args[1]], []
    proc = run_tool('demo/image_demo.py', image, *model, '--out-dir', str(tmp_path / 'out'),
                    *args)
    assert_one_error_line(proc, *names)
