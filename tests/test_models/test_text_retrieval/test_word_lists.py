"""ovseg.models.text_retrieval.word_lists: named word lists resolve, unknown names are refused."""
import pytest

from ovseg.datasets.synthworld.vocab import SYNTHWORLD_WORDS
from ovseg.models.text_retrieval import get_word_list, list_word_lists


def test_named_and_given_lists():
    assert 'synthworld' in list_word_lists()
    assert get_word_list('synthworld') == SYNTHWORLD_WORDS
    assert get_word_list(['cat', 'the']) == ('cat', 'the')
    with pytest.raises(KeyError, match="unknown word list 'iiit'.*synthworld"):
        get_word_list('iiit')


def test_synthworld_word_groups_partition_the_dictionary():
    content, function = get_word_list('synthworld-content'), get_word_list('synthworld-function')
    assert content + function == SYNTHWORLD_WORDS
    assert function[0] == 'the' and 'cart' in content and 'of' in function
    held_out = get_word_list('synthworld-heldout')
    pretrained = get_word_list('synthworld-pretrained')
    assert set(held_out) | set(pretrained) == set(SYNTHWORLD_WORDS)
    assert not set(held_out) & set(pretrained)
    assert len(held_out) == 43 and held_out[:3] == ('cast', 'cord', 'boat')
