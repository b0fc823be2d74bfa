"""OVAttrInferencer on a tiny CLIP-Attr: per box the category and top-k attributes (with parent
types) that the model's own predict_boxes gives, boxes honoured and clipped, bad boxes skipped
with a warning, JSON and overlay files, attribute lists checked."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from test_apis.detection_utils import dump_mmdet_results

from ovseg.apis import OVAttrInferencer
from ovseg.apis.attr_inferencer import BoxFileError
from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES
from ovseg.models.clip import VocabularyError
from ovseg.testing import TINY_RN

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py')


@pytest.fixture(scope='module')
def tiny_attr(tmp_path_factory):
    """(config, checkpoint, image): a tiny-RN CLIP-Attr config, its random weights with the
    SynthWorld metainfo, and a 48x80 image."""
    from mmengine.registry import MODELS

    from ovseg.apis import load_test_metainfo
    root = tmp_path_factory.mktemp('attr')
    cfg = Config.fromfile(CONFIG)
    cfg.model.update(model_name=TINY_RN, pretrained=None, num_context_tokens=6)
    cfg.test_dataloader.dataset.pipeline[1].size = 32
    cfg.dump(str(root / 'tiny.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)  # random weights (pretrained=None)
    meta = load_test_metainfo(cfg)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(dataset_meta=meta)),
               root / 'tiny.pth')
    image = np.random.default_rng(0).integers(0, 255, (48, 80, 3), dtype=np.uint8)
    cv2.imwrite(str(root / 'img.png'), image)
    return str(root / 'tiny.py'), str(root / 'tiny.pth'), str(root / 'img.png')


@pytest.fixture(scope='module')
def inferencer(tiny_attr):
    config, ckpt, _ = tiny_attr
    return OVAttrInferencer(config, ckpt, show_progress=False)


def test_boxes_scored_as_predict_boxes_and_written_as_json(inferencer, tiny_attr, tmp_path):
    _, _, image = tiny_attr
    boxes = [[2.0, 3.0, 30.0, 40.0], [40.0, 10.0, 79.0, 47.0]]
    result = inferencer(image, boxes=[boxes], top_k=3, out_dir=str(tmp_path))
    (pred,) = result['predictions']
    assert result['errors'] == []
    # the model's own scores of the same boxes of the same BGR image
    bgr = torch.from_numpy(cv2.imread(image)).permute(2, 0, 1)
    attr, cat = inferencer.model.predict_boxes(bgr, torch.tensor(boxes))
    np.testing.assert_allclose(pred['attribute_scores'], attr.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pred['category_scores'], cat.numpy(), rtol=1e-5, atol=1e-6)
    classes = pred['classes']
    for m, obj in enumerate(pred['objects']):
        assert obj['box'] == boxes[m] and obj['box_index'] == m
        assert obj['category'] == classes[int(cat[m].argmax())]
        assert obj['category_score'] == pytest.approx(float(cat[m].max()))
        top = torch.argsort(attr[m], descending=True)[:3].tolist()
        assert [a['name'] for a in obj['attributes']] == [SYNTHWORLD_ATTRIBUTES[k] for k in top]
        assert [a['score'] for a in obj['attributes']] == pytest.approx(attr[m, top].tolist())
        for a in obj['attributes']:
            index = pred['attribute_names'].index(a['name'])
            assert a['parent'] == pred['attribute_types'][index]
    with open(tmp_path / 'preds' / 'img.json') as file:
        written = json.load(file)
    assert written['objects'] == pred['objects']
    assert (written['height'], written['width']) == (48, 80)
    assert written['attribute_types'][SYNTHWORLD_ATTRIBUTES.index('pink')] == 'color'
    overlay = cv2.imread(str(tmp_path / 'vis' / 'img.png'))
    assert overlay.shape == (48 * 7, 80 * 7, 3)  # enlarged to >= 512 px for the labels


def test_without_boxes_the_whole_image_is_one_box(inferencer, tiny_attr):
    _, _, image = tiny_attr
    (pred,) = inferencer(image, top_k=2)['predictions']
    assert [o['box'] for o in pred['objects']] == [[0.0, 0.0, 80.0, 48.0]]
    assert len(pred['objects'][0]['attributes']) == 2


def test_box_file_by_image_name_and_bad_boxes_clipped_or_skipped(inferencer, tiny_attr,
                                                                  tmp_path):
    _, _, image = tiny_attr
    path = tmp_path / 'boxes.json'
    path.write_text(json.dumps({'img.png': [[-10, 5, 20, 30],  # clipped at the left border
                                            [50, 50, 70, 60],  # below the 48-px image
                                            [10, 10, 10, 20],  # no width
                                            [60, 0, 100, 20]]}))  # clipped at the right
    with pytest.warns(UserWarning) as caught:
        (pred,) = inferencer(image, boxes=str(path))['predictions']
    assert [o['box'] for o in pred['objects']] == [[0.0, 5.0, 20.0, 30.0], [60.0, 0.0, 80.0, 20.0]]
    assert [o['box_index'] for o in pred['objects']] == [0, 3]
    skipped = [str(w.message) for w in caught if 'no area' in str(w.message)]
    assert len(skipped) == 2
    assert skipped[0].startswith('box 1 ') and image in skipped[0]
    assert skipped[1].startswith('box 2 ') and image in skipped[1]
    # every box skipped: the image is still reported, with no objects
    with pytest.warns(UserWarning, match='box 0 '):
        (pred,) = inferencer(image, boxes=[[[100, 100, 120, 120]]])['predictions']
    assert pred['objects'] == [] and pred['attribute_scores'].shape == (0, 20)


def test_boxes_from_a_detectors_dumped_results(inferencer, tiny_attr, tmp_path):
    _, _, image = tiny_attr
    path = tmp_path / 'results.pkl'
    dump_mmdet_results(path, [(image, [[2, 3, 30, 40], [40, 10, 79, 47]], [0.8, 0.2])])
    (pred,) = inferencer(image, boxes=str(path), box_score_thr=0.5)['predictions']
    assert [o['box'] for o in pred['objects']] == [[2.0, 3.0, 30.0, 40.0]]
    (pred,) = inferencer(image, boxes=str(path), box_score_thr=0.1)['predictions']
    assert len(pred['objects']) == 2


def test_image_without_boxes_in_the_file_is_listed(inferencer, tiny_attr, tmp_path):
    _, _, image = tiny_attr
    array = cv2.imread(image)[..., ::-1]
    with pytest.warns(UserWarning, match='skipped 1 image'):
        result = inferencer([image, array], boxes={'img.png': [[0, 0, 10, 10]]})
    assert len(result['predictions']) == 1
    assert result['errors'][0]['index'] == 1 and 'no boxes for' in result['errors'][0]['error']


@pytest.mark.parametrize('boxes', [[[[1, 2, 3]]], {'img.png': 'x'}, 7])
def test_malformed_boxes_are_named(inferencer, tiny_attr, boxes):
    _, _, image = tiny_attr
    with pytest.raises(BoxFileError, match='boxes'):
        inferencer(image, boxes=boxes)


def test_attribute_list_from_a_file(inferencer, tiny_attr, tmp_path):
    _, _, image = tiny_attr
    path = tmp_path / 'attributes.txt'
    path.write_text('color: red\npattern: striped, stripy\n')
    (pred,) = inferencer(image, attributes=str(path), vocabulary=['circle', 'star'],
                         top_k=5)['predictions']
    assert pred['attribute_names'] == ['red', 'striped'] and pred['classes'] == ['circle', 'star']
    assert {a['parent'] for a in pred['objects'][0]['attributes']} == {'color', 'pattern'}
    path.write_text('color: red\nmaterial: wooden\n')
    with pytest.raises(VocabularyError, match=r"line 2: unknown parent type 'material'"):
        inferencer(image, attributes=str(path))
    path.write_text('\n')
    with pytest.raises(VocabularyError, match='is empty'):
        inferencer(image, attributes=str(path))


def test_zero_shot_config_keeps_its_pretrained_clip(tiny_rn_checkpoint, tiny_rn_clip, tmp_path):
    """No weights: the zero-shot model's CLIP comes from ``pretrained`` (init_weights), which
    mmseg's init_model would have set to None."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs/attributes/'
                                         'clip-zero-shot_synthclip-rn-s_synthworld.py'))
    cfg.model.update(model_name=TINY_RN, pretrained=tiny_rn_checkpoint, templates='attribute')
    cfg.dump(str(tmp_path / 'zero_shot.py'))
    inferencer = OVAttrInferencer(str(tmp_path / 'zero_shot.py'), show_progress=False)
    torch.testing.assert_close(inferencer.model.visual.state_dict()['conv1.weight'],
                               tiny_rn_clip.visual.state_dict()['conv1.weight'])
    image = np.zeros((40, 40, 3), np.uint8)
    (pred,) = inferencer(image, attributes=['color: red', 'color: blue'],
                         vocabulary=['circle', 'star'])['predictions']
    assert len(pred['objects']) == 1 and pred['objects'][0]['category'] in ('circle', 'star')


def test_demo_attribute_task_writes_json_and_overlay(tiny_attr, tmp_path, capsys):
    from ovseg.testing import load_script
    config, ckpt, image = tiny_attr
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps({'img.png': [[2, 3, 30, 40], [40, 10, 79, 47]]}))
    result = load_script('demo/image_demo.py').main([
        image, config, ckpt, '--boxes', str(boxes), '--top-k', '2',
        '--out-dir', str(tmp_path / 'out')])
    (pred,) = result['predictions']
    assert len(pred['objects']) == 2 and len(pred['objects'][0]['attributes']) == 2
    written = json.loads((tmp_path / 'out' / 'preds' / 'img.json').read_text())
    assert written['objects'] == pred['objects']
    assert (tmp_path / 'out' / 'vis' / 'img.png').is_file()
    out = capsys.readouterr().out
    parent = pred['objects'][0]['attributes'][0]['parent']
    assert 'box 1 [40.0, 10.0, 79.0, 47.0]' in out and f'({parent})' in out


def test_demo_unknown_parent_type_is_one_error_line(tiny_attr, tmp_path, capsys):
    """Through the demo's run_cli (in process: a subprocess costs a minute on 2 busy cores)."""
    from ovseg.apis.cli import run_cli
    from ovseg.testing import load_script
    config, ckpt, image = tiny_attr
    attributes = tmp_path / 'attributes.txt'
    attributes.write_text('color: red\nmood: happy\n')
    demo = load_script('demo/image_demo.py')
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        run_cli(lambda: demo.main([image, config, ckpt, '--attributes', str(attributes),
                                   '--out-dir', str(tmp_path / 'o')]))
    assert exit_info.value.code == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines == [f"error: {attributes}, line 2: unknown parent type 'mood' of 'happy' "
                     '(known: color, fill, pattern, size)']
