"""Tests for ovseg/datasets/annotations.py: errors name the file, the entry and the key."""
import pytest

from ovseg.datasets.annotations import (AnnotationError, field, label_vector, load_annotation,
                                        xywh_box)
from ovseg.utils.errors import InputError


def test_load_annotation_checks_file_and_kind(tmp_path):
    path = tmp_path / 'a.json'
    path.write_text('{"x": 1}')
    assert load_annotation(str(path), kind=dict, what='VAW index') == {'x': 1}
    with pytest.raises(AnnotationError, match='a.json: VAW index must be a JSON list, not dict'):
        load_annotation(str(path), kind=list, what='VAW index')
    path.write_text('{"x": ')
    with pytest.raises(AnnotationError, match='a.json: not valid JSON'):
        load_annotation(str(path), kind=dict, what='VAW index')
    with pytest.raises(FileNotFoundError, match='VAW index .*b.json does not exist'):
        load_annotation(str(tmp_path / 'b.json'), kind=dict, what='VAW index')
    assert issubclass(AnnotationError, InputError)  # one line at the command line


def test_field_box_and_labels():
    assert field({'a': [1]}, 'a', 'f: entry 0', list) == [1]
    with pytest.raises(AnnotationError, match='f: entry 0 has no "b"'):
        field({'a': 1}, 'b', 'f: entry 0')
    with pytest.raises(AnnotationError, match=r'"a" must be a list or dict, not int'):
        field({'a': 1}, 'a', 'f: entry 0', (list, dict))
    assert xywh_box([1, 2, 3, 4], 'w') == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(AnnotationError, match=r'w: the box must be \[x, y, width, height\]'):
        xywh_box([1, 2, 'a', 4], 'w')
    assert label_vector(4, [1, 2], [2, 3]).tolist() == [-1, 1, 1, 0]  # positives win
