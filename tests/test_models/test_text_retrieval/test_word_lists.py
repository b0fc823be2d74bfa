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
