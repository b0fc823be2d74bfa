"""ovseg.datasets.transforms.sign_paste: a new rendered sign of a random word on each scene."""
import numpy as np
import pytest

from ovseg.datasets.synthworld.signs import SIGN_STYLES
from ovseg.datasets.transforms import PasteRandomSign, RandomWordView

DICTIONARY = ('cart', 'card', 'care', 'cat', 'tent', 'the', 'then', 'zebra')


def _scene(size=160):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (size, size, 3)).astype(np.uint8)  # BGR, as LoadImageFromFile


def test_pasted_sign_replaces_the_words_and_changes_only_its_pixels():
    paste = PasteRandomSign(dictionary=DICTIONARY)
    np.random.seed(0)
    scene = _scene()
    out = paste(dict(img=scene.copy(), words=['old'], polygons=np.zeros((1, 4, 2))))
    assert out['words'][0] in DICTIONARY and len(out['words']) == 1
    polygon = out['polygons'][0]
    assert out['polygons'].shape == (1, 4, 2)
    assert (polygon >= 0).all() and (polygon <= 160).all()
    changed = (out['img'] != scene).any(axis=-1)
    ys, xs = np.nonzero(changed)
    # the changed pixels are the sign: they cover the word polygon and not much more
    (x1, y1), (x2, y2) = polygon.min(0), polygon.max(0)
    assert xs.min() <= x1 and xs.max() >= x2 - 1 and ys.min() <= y1 and ys.max() >= y2 - 1
    assert changed.mean() < 0.5
    # in BGR: the sign's most common colour is one of the scene generator's sign colours
    colours, counts = np.unique(out['img'][changed], axis=0, return_counts=True)
    rgb = tuple(int(c) for c in colours[counts.argmax()][::-1])
    assert rgb in {style[1] for style in SIGN_STYLES}


def test_pasted_words_vary_and_skip_excluded_ones():
    paste = PasteRandomSign(dictionary=DICTIONARY, exclude_words=['cart', 'zebra'])
    np.random.seed(1)
    drawn = {paste(dict(img=_scene(96)))['words'][0] for _ in range(60)}
    assert drawn == set(DICTIONARY) - {'cart', 'zebra'}
    with pytest.raises(ValueError, match='no word left'):
        PasteRandomSign(dictionary=['cart'], exclude_words=['cart'])


def test_random_word_view_crops_the_pasted_sign():
    pipeline = [PasteRandomSign(dictionary=DICTIONARY),
                RandomWordView(scale_range=(1.4, 1.4), max_shift=0.0, dictionary=DICTIONARY)]
    np.random.seed(2)
    for _ in range(10):
        results = dict(img=_scene(), words=['tent'], polygons=np.zeros((1, 4, 2)))
        for transform in pipeline:
            results = transform(results)
        assert results['text'] == f'the word "{results["words"][0]}"'
        # 1.4 x the longest polygon edge, unless pushed against the image border
        assert results['img'].shape[0] == results['img'].shape[1] <= 160
