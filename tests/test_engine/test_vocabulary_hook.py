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


def _runner(model, metainfo):
    from types import SimpleNamespace
    loader = SimpleNamespace(dataset=SimpleNamespace(metainfo=metainfo))
    return SimpleNamespace(model=model, test_dataloader=loader)


def test_synonyms_are_aligned_with_the_dataset_classes():
    from ovseg.models.clip import TextClassifier
    from ovseg.testing import TINY_VIT
    model = TextClassifier(text_encoder=dict(type='OVCLIPTextEncoder', model_name=TINY_VIT),
                           templates='single')
    hook = VocabularyHook()
    hook.before_test(_runner(model, dict(classes=('circle', 'sky'),
                                         class_synonyms=('circle, disk', 'sky'))))
    assert model.vocabulary == ['circle, disk', 'sky']
    with pytest.raises(VocabularyError, match='"class_synonyms" has 3 entries but "classes" has 2'):
        hook.before_test(_runner(model, dict(classes=('circle', 'sky'),
                                             class_synonyms=('circle', 'sky', 'grass'))))
    with pytest.raises(VocabularyError, match=r'\(--vocabulary\) has 1 names but the dataset has 2'):
        VocabularyHook(test_vocabulary=['cat']).before_test(
            _runner(model, dict(classes=('circle', 'sky'))))
