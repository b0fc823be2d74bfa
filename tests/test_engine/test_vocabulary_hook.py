"""Tests for ovseg/engine/vocabulary_hook.py: the test vocabulary obeys the vocabulary rule."""
import pytest

from ovseg.engine import VocabularyHook
from ovseg.models.clip import VocabularyError


@pytest.mark.parametrize('names, match', [
    ([], 'empty'), (['cat', ' '], r"entry 1 \(' '\) is empty"), (['cat', 'CAT'], 'duplicates')])
def test_test_vocabulary_is_checked(names, match):
    with pytest.raises(VocabularyError, match=match):
        VocabularyHook(test_vocabulary=names)
    assert VocabularyHook(test_vocabulary=[' cat', 'dog']).test_vocabulary.names == ('cat', 'dog')
