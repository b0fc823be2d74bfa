import json
import os

import numpy as np
import pytest
from PIL import Image

from ovseg.datasets.synthworld.heldout import unseen_nouns, write_heldout_labels
from ovseg.datasets.synthworld.vocab import SYNTHWORLD_SEG_CLASSES

HEART = SYNTHWORLD_SEG_CLASSES.index('heart')
SKY = SYNTHWORLD_SEG_CLASSES.index('sky')


def _world(root, captions):
    """Three 4x4 train images: sky with a 255 block (an unseen thing) in each."""
    for sub in ('img_dir/train', 'ann_dir/train', 'annotations'):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    images, anns = [], []
    for i, texts in enumerate(captions):
        labels = np.full((4, 4), SKY, np.uint8)
        labels[:2, :2] = 255
        Image.fromarray(labels).save(os.path.join(root, f'ann_dir/train/{i:06d}.png'))
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(
            os.path.join(root, f'img_dir/train/{i:06d}.png'))
        images.append(dict(id=i + 1, file_name=f'{i:06d}.png'))
        anns += [dict(id=len(anns) + 1, image_id=i + 1, caption=t) for t in texts]
    with open(os.path.join(root, 'annotations/captions_train.json'), 'w') as f:
        json.dump(dict(images=images, annotations=anns), f)


def test_unseen_nouns_skip_sign_text():
    assert unseen_nouns(['a sign that says "moon" on sand.']) == set()
    assert unseen_nouns(['two shapes: a Heart and a star.', 'a moon.']) == {'heart', 'moon'}


def test_one_unseen_name_labels_the_ignored_pixels(tmp_path):
    root, out = str(tmp_path / 'world'), str(tmp_path / 'out')
    _world(root, [['a red heart in the sky.', 'a sign that says "moon".'],  # one: heart
                  ['a heart and an arrow in the sky.'],  # two: ambiguous
                  ['a heart.']])  # not held out
    stats = write_heldout_labels(data_root=root, indices=[0, 1], out_dir=out)
    assert stats == dict(images=2, one_unseen=1, ambiguous=1, unnamed=0, pixels_labelled=4,
                         pixels_left=4)
    first = np.array(Image.open(os.path.join(out, '000000.png')))
    assert np.all(first[:2, :2] == HEART) and np.all(first[2:] == SKY)
    second = np.array(Image.open(os.path.join(out, '000001.png')))
    assert np.all(second[:2, :2] == 255) and np.all(second[2:] == SKY)
    assert sorted(os.listdir(out)) == ['000000.png', '000001.png']


def test_bad_indices_and_missing_root(tmp_path):
    root = str(tmp_path / 'world')
    _world(root, [['a heart.']])
    with pytest.raises(IndexError, match=r'\[5\].*1 train images'):
        write_heldout_labels(data_root=root, indices=[0, 5], out_dir=str(tmp_path / 'o'))
    with pytest.raises(FileNotFoundError, match='nowhere'):
        write_heldout_labels(data_root=str(tmp_path / 'nowhere'), indices=[0],
                             out_dir=str(tmp_path / 'o'))
