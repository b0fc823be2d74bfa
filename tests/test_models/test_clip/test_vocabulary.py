"""Tests for ovseg/models/clip/vocabulary.py."""
import json

import pytest

from ovseg.models.clip import VocabularyError, check_vocabulary, load_vocabulary


def test_lists_and_strings():
    assert load_vocabulary(['cat ', 'dog, puppy']) == ['cat', 'dog, puppy']
    assert load_vocabulary('cat, dog,  traffic light') == ['cat', 'dog', 'traffic light']
    assert load_vocabulary('person, human\n\ncar\n') == ['person, human', 'car']


def test_files(tmp_path):
    txt = tmp_path / 'names.txt'
    txt.write_text('cat\n\ndog, puppy\n')
    assert load_vocabulary(str(txt)) == ['cat', 'dog, puppy']
    as_list = tmp_path / 'names.json'
    as_list.write_text(json.dumps(['cat', ['dog', 'puppy']]))
    assert load_vocabulary(str(as_list)) == ['cat', 'dog, puppy']
    as_dict = tmp_path / 'meta.json'
    as_dict.write_text(json.dumps({'classes': ['sky', 'road']}))
    assert load_vocabulary(str(as_dict)) == ['sky', 'road']


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        load_vocabulary(str(tmp_path / 'missing.txt'))
    bad = tmp_path / 'bad.json'
    bad.write_text('{"names": 3}')
    with pytest.raises(ValueError, match='bad.json'):
        load_vocabulary(str(bad))
    with pytest.raises(TypeError):
        load_vocabulary(3)


@pytest.mark.parametrize('source, match', [
    ('', 'the vocabulary is empty'),
    ('  ', 'the vocabulary is empty'),
    (',,,', r"entry 0 \(''\) is empty \(in ',,,'\)"),
    ('cat,,dog', r"entry 1 \(''\) is empty"),
    ('cat, Cat', r"entries 0 \('cat'\) and 1 \('Cat'\) are duplicates"),
    (['traffic  light', 'Traffic light'], 'entries 0 .* and 1 .* are duplicates'),
    (['dog, puppy', 'dog,puppy'], 'are duplicates'),
    (['dog, , puppy'], "entry 0 .* has an empty synonym"),
    ([], 'the vocabulary is empty'),
])
def test_one_rule_rejects(source, match):
    with pytest.raises(VocabularyError, match=match):
        load_vocabulary(source)
    assert issubclass(VocabularyError, ValueError)


def test_one_rule_in_files(tmp_path):
    dup = tmp_path / 'dup.txt'
    dup.write_text('cat\ndog\n\nCAT\n')
    with pytest.raises(VocabularyError, match=r"entries 0 \('cat'\) and 2 \('CAT'\).*dup.txt"):
        load_vocabulary(str(dup))
    empty = tmp_path / 'empty.json'
    empty.write_text('[]')
    with pytest.raises(VocabularyError, match='empty'):
        load_vocabulary(str(empty))


def test_check_vocabulary_keeps_distinct_synonym_lists():
    assert check_vocabulary(['cat, kitty', 'cat', ' dog ']) == ['cat, kitty', 'cat', 'dog']


# ------------------------------------------------------------------ the Vocabulary type
def test_vocabulary_constructors(tmp_path):
    from ovseg.models.clip import Vocabulary
    names = tmp_path / 'names.txt'
    names.write_text('cat\ndog, puppy\n')
    from_file = Vocabulary.from_source(str(names))
    assert from_file == Vocabulary(['cat', 'dog, puppy']) == Vocabulary.from_source('cat\ndog, puppy')
    assert list(from_file) == ['cat', 'dog, puppy'] and len(from_file) == 2
    assert from_file[1] == 'dog, puppy' and from_file.names == ('cat', 'dog, puppy')
    meta = dict(classes=('circle', 'sky'), class_synonyms=('circle, disk', 'sky'))
    assert Vocabulary.from_metainfo(meta).names == ('circle, disk', 'sky')
    assert Vocabulary.from_metainfo(meta, synonyms_key=None).names == ('circle', 'sky')
    assert Vocabulary.from_source(from_file) is from_file


def test_vocabulary_split_and_whole():
    from ovseg.models.clip import Vocabulary
    split = Vocabulary(['road, route', ' sky '])
    whole = Vocabulary(['road, route', 'sky'], synonyms='whole')
    assert split.texts == (('road', 'route'), ('sky',))
    assert whole.texts == (('road, route',), ('sky',))
    assert split.display_names == whole.display_names == ('road', 'sky')
    assert split.with_rule('whole') == whole and split != whole
    assert Vocabulary.from_source(split, synonyms='whole') == whole
    with pytest.raises(ValueError, match="synonyms must be one of"):
        Vocabulary(['cat'], synonyms='first')


def test_vocabulary_is_validated_and_aligned():
    from ovseg.models.clip import Vocabulary
    with pytest.raises(VocabularyError, match='duplicates'):
        Vocabulary(['cat', 'Cat'])
    with pytest.raises(VocabularyError, match='empty synonym'):
        Vocabulary(['cat, '], synonyms='whole')
    with pytest.raises(VocabularyError, match='"class_synonyms" has 1 entries but "classes" has 2'):
        Vocabulary.from_metainfo(dict(classes=('a', 'b'), class_synonyms=('a, x',)))
    with pytest.raises(VocabularyError, match='has 1 names but the dataset has 2 classes'):
        Vocabulary(['cat']).aligned_to(('cat', 'dog'))


def test_vocabulary_is_a_cache_key():
    from ovseg.models.clip import Vocabulary
    cache = {Vocabulary(['cat', 'dog']): 1, Vocabulary(['cat', 'dog'], synonyms='whole'): 2}
    assert cache[Vocabulary((' cat', 'dog'))] == 1 and len(cache) == 2
    with pytest.raises(AttributeError):
        Vocabulary(['cat']).names = ('dog',)


def test_parent_types():
    from ovseg.models.clip import Vocabulary
    vocab = Vocabulary(['red, scarlet', 'striped'], parents=[' color', 'pattern'])
    assert vocab.parents == ('color', 'pattern') and vocab.texts[0] == ('red', 'scarlet')
    assert vocab != Vocabulary(['red, scarlet', 'striped'])  # parents are part of the key
    assert hash(vocab) == hash(Vocabulary(['red, scarlet', 'striped'],
                                          parents=('color', 'pattern')))
    assert Vocabulary(['circle', 'star']).with_parents('shape').parents == ('shape', 'shape')
    assert vocab.with_rule('whole').parents == vocab.parents
    with pytest.raises(VocabularyError, match='one parent type per vocabulary entry'):
        Vocabulary(['red', 'blue'], parents=['color'])
    with pytest.raises(VocabularyError, match=r"entry 1 \('blue'\) has an empty parent"):
        Vocabulary(['red', 'blue'], parents=['color', ' '])


def test_same_name_under_two_parents_is_two_classes():
    # OVAD has 'color:black' and 'hair color:black': one name, two parents, two prompts
    from ovseg.models.clip import Vocabulary
    vocab = Vocabulary(['black', 'black', 'long'], parents=['color', 'hair color', 'length'])
    assert vocab.names == ('black', 'black', 'long')
    with pytest.raises(VocabularyError, match=r"entries 0 \('black'\) and 1 \('Black'\)"):
        Vocabulary(['black', 'Black'], parents=['color', ' color'])
    with pytest.raises(VocabularyError, match='duplicates'):
        Vocabulary(['black', 'black'])


def test_parents_from_metainfo():
    from ovseg.models.clip import Vocabulary
    meta = dict(classes=('dog', 'cup'), class_parents=('animal', 'kitchen'))
    assert Vocabulary.from_metainfo(meta).parents == ('animal', 'kitchen')
    assert Vocabulary.from_metainfo(meta, parents_key=None).parents is None
    with pytest.raises(VocabularyError, match='one parent type per vocabulary entry'):
        Vocabulary.from_metainfo(dict(classes=('dog', 'cup'), class_parents=('animal',)))


def test_seen_flags_from_metainfo():
    from ovseg.datasets.synthworld.vocab import SYNTHWORLD_SEG_CLASSES, seg_metainfo
    from ovseg.models.clip import Vocabulary
    vocab = Vocabulary.from_metainfo(seg_metainfo())
    assert not vocab.seen[SYNTHWORLD_SEG_CLASSES.index('heart')]
    assert vocab.seen[SYNTHWORLD_SEG_CLASSES.index('circle')]
    assert Vocabulary.from_metainfo(dict(classes=('dog', 'cup'))).seen is None
    assert Vocabulary.from_metainfo(seg_metainfo(), seen_key=None).seen is None
    # a config that renames the classes but inherits the dataset's flags: unknown
    assert Vocabulary.from_metainfo(dict(classes=('dog', 'cup'), seen=(True,))).seen is None
    with pytest.raises(VocabularyError, match='one seen flag per vocabulary entry'):
        Vocabulary(['dog', 'cup'], seen=[True])
