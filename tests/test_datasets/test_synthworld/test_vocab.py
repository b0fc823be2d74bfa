"""ovseg.datasets.synthworld.vocab: class, attribute and word vocabularies."""
from ovseg.datasets.synthworld import (ATTRIBUTE_TYPES, SYNTHWORLD_BACKGROUNDS, SYNTHWORLD_THINGS,
                                       SYNTHWORLD_WORDS, UNSEEN_ATTRIBUTES, UNSEEN_THINGS)
from ovseg.datasets.synthworld.shapes import SHAPES


def test_vocabulary_sizes():
    assert len(SYNTHWORLD_THINGS) >= 12 and len(SYNTHWORLD_BACKGROUNDS) >= 3
    assert len(ATTRIBUTE_TYPES['color']) >= 8
    assert len(set(SYNTHWORLD_WORDS)) == len(SYNTHWORLD_WORDS) >= 200
    assert {'cat', 'cart', 'cast', 'the', 'of'} <= set(SYNTHWORLD_WORDS)
    assert set(UNSEEN_THINGS) < set(SYNTHWORLD_THINGS)
    assert set(UNSEEN_ATTRIBUTES) < set(ATTRIBUTE_TYPES['color'] + ATTRIBUTE_TYPES['pattern'])
    assert set(SHAPES) == set(SYNTHWORLD_THINGS)

