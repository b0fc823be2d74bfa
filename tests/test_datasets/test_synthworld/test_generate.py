"""Generation of SynthWorld: determinism, split rules, text geometry, CLI and errors."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from ovseg.datasets.synthworld import (SYNTHWORLD_ATTRIBUTES, SYNTHWORLD_SEG_CLASSES,
                                       SYNTHWORLD_THINGS, UNSEEN_ATTRIBUTES, UNSEEN_THINGS,
                                       SceneConfig, generate)
from ovseg.datasets.synthworld.writer import IGNORE_INDEX
from ovseg.testing import load_script

TINY = SceneConfig(image_size=64)
UNSEEN_LABELS = [SYNTHWORLD_SEG_CLASSES.index(c) for c in UNSEEN_THINGS]


main = load_script('tools/synthworld.py').main


def _files(root: str) -> dict:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            with open(osp.join(folder, name), 'rb') as f:
                out[osp.relpath(osp.join(folder, name), root)] = f.read()
    return out


def _annotations(root: str, kind: str, split: str) -> dict:
    with open(osp.join(root, 'annotations', f'{kind}_{split}.json')) as f:
        return json.load(f)


def test_same_seed_gives_identical_bytes(tmp_path):
    generate(str(tmp_path / 'a'), num_train=3, num_val=2, seed=7, config=TINY, num_closeup=2,
             workers=1, log=None)
    generate(str(tmp_path / 'b'), num_train=3, num_val=2, seed=7, config=TINY, num_closeup=2,
             workers=2, log=None)
    generate(str(tmp_path / 'c'), num_train=3, num_val=2, seed=8, config=TINY, num_closeup=2,
             workers=1, log=None)
    generate(str(tmp_path / 'd'), num_train=3, num_val=2, seed=7, config=TINY, workers=1,
             log=None)
    a, b, c, d = (_files(str(tmp_path / k)) for k in 'abcd')
    assert len(a) == 3 + 3 + 2 + 2 + 8 + 1 + 2 + 1
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[k] != c[k] for k in a if k.startswith('img_dir'))
    # the close-ups have their own random stream: train and val do not change with them
    assert all(a[k] == d[k] for k in d if k.startswith(('img_dir', 'ann_dir')))


def test_closeups_are_caption_only(synthworld_root):
    names = sorted(os.listdir(osp.join(synthworld_root, 'img_dir', 'closeup')))
    assert len(names) == 4
    assert not osp.exists(osp.join(synthworld_root, 'ann_dir', 'closeup'))
    assert [f for f in os.listdir(osp.join(synthworld_root, 'annotations'))
            if 'closeup' in f] == ['captions_closeup.json']
    captions = _annotations(synthworld_root, 'captions', 'closeup')
    assert [i['file_name'] for i in captions['images']] == names
    for image in captions['images']:
        texts = [a['caption'] for a in captions['annotations'] if a['image_id'] == image['id']]
        assert any(t.startswith('one shape over ') for t in texts)
        assert sum(t.rstrip('.').endswith(tuple(SYNTHWORLD_THINGS)) for t in texts) >= 1


def test_train_labels_never_name_unseen(synthworld_root):
    captions = ' '.join(a['caption'] for a in
                        _annotations(synthworld_root, 'captions', 'train')['annotations'])
    assert any(c in captions for c in UNSEEN_THINGS)  # unseen things are drawn and named
    for name in os.listdir(osp.join(synthworld_root, 'ann_dir', 'train')):
        labels = np.asarray(Image.open(osp.join(synthworld_root, 'ann_dir', 'train', name)))
        assert not np.isin(labels, UNSEEN_LABELS).any()
        assert set(np.unique(labels)) <= set(range(len(SYNTHWORLD_SEG_CLASSES))) | {IGNORE_INDEX}
    coco = _annotations(synthworld_root, 'instances', 'train')
    unseen_ids = {SYNTHWORLD_THINGS.index(c) + 1 for c in UNSEEN_THINGS}
    assert coco['annotations'] and not {a['category_id'] for a in coco['annotations']} & unseen_ids
    attributes = _annotations(synthworld_root, 'attributes', 'train')['instances']
    assert not {i['object_name'] for i in attributes} & set(UNSEEN_THINGS)
    for inst in attributes:
        labelled = set(inst['positive_attributes']) | set(inst['negative_attributes'])
        assert not labelled & set(UNSEEN_ATTRIBUTES)


def test_val_labels_unseen(synthworld_root):
    labels = np.concatenate([
        np.asarray(Image.open(osp.join(synthworld_root, 'ann_dir', 'val', name))).ravel()
        for name in os.listdir(osp.join(synthworld_root, 'ann_dir', 'val'))])
    assert np.isin(labels, UNSEEN_LABELS).any() and not (labels == IGNORE_INDEX).any()
    attributes = _annotations(synthworld_root, 'attributes', 'val')['instances']
    assert {i['object_name'] for i in attributes} & set(UNSEEN_THINGS)
    assert {a for i in attributes for a in i['positive_attributes']} & set(UNSEEN_ATTRIBUTES)


def test_attributes_follow_vaw(synthworld_root):
    data = _annotations(synthworld_root, 'attributes', 'val')
    assert [a['name'] for a in data['attributes']] == list(SYNTHWORLD_ATTRIBUTES)
    unknown = 0
    for inst in data['instances']:
        positives, negatives = set(inst['positive_attributes']), set(inst['negative_attributes'])
        assert len(positives) == 4 and not positives & negatives
        unknown += len(SYNTHWORLD_ATTRIBUTES) - len(positives) - len(negatives)
    assert unknown > 0


def test_text_polygons_inside_image(synthworld_root):
    for split in ('train', 'val'):
        data = _annotations(synthworld_root, 'text', split)
        words = 0
        for image in data['images']:
            for word in image['words']:
                polygon = np.array(word['polygon']).reshape(4, 2)
                assert (polygon >= 0).all() and (polygon <= image['width']).all()
                assert word['rendered'].lower() == word['text']
                assert image['id'] in next(q['image_ids'] for q in data['queries']
                                           if q['query'] == word['text'])
                words += 1
        assert words > 0


def test_captions_cover_every_image(synthworld_root):
    data = _annotations(synthworld_root, 'captions', 'val')
    assert {a['image_id'] for a in data['annotations']} == {i['id'] for i in data['images']}


def test_cli_refuses_non_empty_folder(tmp_path, capsys):
    argv = ['--out', str(tmp_path), '--num-train', '1', '--num-val', '1', '--seed', '0',
            '--num-closeup', '1', '--image-size', '64']
    (tmp_path / 'notes.txt').write_text('keep me')
    with pytest.raises(SystemExit, match='not empty'):
        main(argv)
    main(argv + ['--overwrite', '--contact-sheet'])
    assert (tmp_path / 'notes.txt').read_text() == 'keep me'
    assert (tmp_path / 'contact_sheet.png').is_file()
    assert '[synthworld] done' in capsys.readouterr().out


@pytest.mark.parametrize('extra', [['--num-train', '0'], ['--image-size', '32'],
                                   ['--max-objects', '20'], ['--min-objects', '6'],
                                   ['--seed', '-1'], ['--num-closeup', '-1']])
def test_cli_rejects_impossible_settings(tmp_path, extra):
    argv = ['--out', str(tmp_path), '--num-train', '1', '--num-val', '1', '--seed', '0']
    with pytest.raises(SystemExit) as error:
        main(argv + extra)
    assert error.value.code == 2
    assert not os.listdir(tmp_path)


def test_impossible_settings_raise_value_error(tmp_path):
    with pytest.raises(ValueError, match='too small'):
        SceneConfig(image_size=16)
    with pytest.raises(ValueError, match='max_objects'):
        SceneConfig(max_objects=50)
    with pytest.raises(ValueError, match='at least one image'):
        generate(str(tmp_path), num_train=0, num_val=1, seed=0, log=None)
    with pytest.raises(ValueError, match='num_closeup'):
        generate(str(tmp_path), num_train=1, num_val=1, seed=0, num_closeup=-1, log=None)


def test_cli_writes_as_many_closeups_as_train_images_by_default(tmp_path):
    main(['--out', str(tmp_path), '--num-train', '2', '--num-val', '1', '--seed', '0',
          '--image-size', '64', '--workers', '1'])
    with open(tmp_path / 'meta.json') as f:
        assert json.load(f)['num_closeup'] == 2
    assert sorted(os.listdir(tmp_path / 'img_dir' / 'closeup')) == ['000000.png', '000001.png']
