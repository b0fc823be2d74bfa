"""Tests for ovseg/models/attributes/attribute_list.py."""
import json

import pytest

from ovseg.models.attributes import load_attribute_list
from ovseg.models.clip import Vocabulary, VocabularyError
from ovseg.utils.errors import InputError


def test_text_file_parent_name_lines(tmp_path):
    path = tmp_path / 'attributes.txt'
    path.write_text('# SynthWorld colours\ncolor: red\n\ncolor: gray, grey\npattern:striped\n')
    vocab = load_attribute_list(str(path), parent_types=['color', 'pattern'])
    assert vocab.names == ('red', 'gray, grey', 'striped')
    assert vocab.parents == ('color', 'color', 'pattern')
    assert vocab.texts[1] == ('gray', 'grey')


def test_json_dict_and_list(tmp_path):
    vaw = tmp_path / 'att2types.json'
    vaw.write_text(json.dumps({'red': 'color', 'wooden': 'material'}))
    assert load_attribute_list(str(vaw)).parents == ('color', 'material')
    entries = tmp_path / 'attributes.json'
    entries.write_text(json.dumps([{'id': 0, 'name': 'red', 'type': 'color'},
                                   {'id': 1, 'name': 'dotted', 'type': 'pattern'}]))
    vocab = load_attribute_list(str(entries))
    assert vocab.names == ('red', 'dotted') and vocab.parents == ('color', 'pattern')


def test_unknown_parent_type_names_the_file_and_line(tmp_path):
    path = tmp_path / 'attributes.txt'
    path.write_text('color: red\n\ncolour: blue\n')
    with pytest.raises(VocabularyError) as err:
        load_attribute_list(str(path), parent_types=['color', 'pattern'])
    message = str(err.value)
    assert f'{path}, line 3' in message and "unknown parent type 'colour'" in message
    assert 'known: color, pattern' in message
    assert isinstance(err.value, InputError)  # one line at the command line


def test_line_without_parent_names_the_line(tmp_path):
    path = tmp_path / 'attributes.txt'
    path.write_text('color: red\nstriped\n')
    with pytest.raises(VocabularyError, match=r'line 2: .striped. has no parent type'):
        load_attribute_list(str(path))
    with pytest.raises(VocabularyError, match=r'attribute 1: .blue. has no parent type'):
        load_attribute_list(['color: red', 'blue'])
    with pytest.raises(VocabularyError, match=r"key 'red': 'red' has no parent type"):
        path = tmp_path / 'bad.json'
        path.write_text(json.dumps({'red': ''}))
        load_attribute_list(str(path))


@pytest.mark.parametrize('content', ['', '\n\n# only a comment\n'])
def test_empty_attribute_list_is_an_error(tmp_path, content):
    path = tmp_path / 'attributes.txt'
    path.write_text(content)
    with pytest.raises(VocabularyError, match=f'attribute list {path} is empty'):
        load_attribute_list(str(path))
    with pytest.raises(VocabularyError, match='is empty'):
        load_attribute_list([])


def test_duplicates_and_missing_file_are_named(tmp_path):
    with pytest.raises(VocabularyError, match='in the attribute list'):
        load_attribute_list(['color: red', 'color: red'])
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        load_attribute_list(str(tmp_path / 'nope.txt'))
    with pytest.raises(VocabularyError, match='parent type per attribute'):
        load_attribute_list(Vocabulary(['red']))
