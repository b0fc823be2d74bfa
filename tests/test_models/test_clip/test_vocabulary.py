"""Tests for ovseg/models/clip/vocabulary.py."""
import json

import pytest

from ovseg.models.clip import load_vocabulary


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
