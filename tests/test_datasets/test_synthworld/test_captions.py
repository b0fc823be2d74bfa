"""ovseg.datasets.synthworld.captions: relations, lists and sign sentences of a scene."""
from types import SimpleNamespace as NS

import numpy as np

from ovseg.datasets.synthworld.captions import describe, join_items, noun_phrase


def _shape(category: str, rows: slice, cols: slice, **attributes) -> NS:
    mask = np.zeros((20, 20), bool)
    mask[rows, cols] = True
    attrs = dict(size='small', color='red', pattern='plain', fill='filled')
    return NS(category=category, background='sky', mask=mask, attributes={**attrs, **attributes})


def test_noun_phrases_and_lists():
    arrow = _shape('arrow', slice(0, 2), slice(0, 2), size='large', fill='hollow',
                   pattern='dotted', color='orange')
    assert noun_phrase(arrow) == 'a large hollow orange dotted arrow'
    assert noun_phrase(arrow, full=False) == 'a hollow orange arrow'
    assert join_items(['x']) == 'x' and join_items(['x', 'y', 'z']) == 'x, y and z'


def test_the_two_largest_shapes_are_related_and_every_shape_listed():
    big = _shape('star', slice(0, 10), slice(0, 10))
    small = _shape('cross', slice(0, 3), slice(15, 18), color='blue')
    captions = describe(objects=[small, big], words=[], occlusions=[])
    assert captions == ['a small red star left of a small blue cross in the sky.',
                        'two shapes over sky: a blue cross and a red star.']
    behind = describe(objects=[small, big], words=[], occlusions=[(0, 1)])[0]
    assert behind.startswith('a small red star behind a small blue cross')


def test_signs_get_their_own_sentence():
    words = [NS(text='cart', sign_color='white'), NS(text='cat', sign_color='yellow')]
    captions = describe(objects=[_shape('star', slice(0, 5), slice(0, 5))], words=words,
                        occlusions=[])
    assert captions[0].endswith('next to signs that say "cart" and "cat".')
    assert captions[2] == 'a white sign that says "cart" and a yellow sign that says "cat".'
