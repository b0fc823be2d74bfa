"""Tests for ovseg/datasets/vaw.py on a hand-made VAW root in VAW's file formats."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmdet.registry import DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets import AnnotationError

INDEX = {'red': 0, 'blond': 1, 'wooden': 2, 'running': 3, 'shiny': 4}
# 'blond' is in two types: the first in file order ('color') wins, as in VAW's evaluator;
# 'shiny' is in no type -> 'other'
TYPES = {'color': ['red', 'blond'], 'hair color': ['blond'], 'material': ['wooden'],
         'activity': ['running']}
PARENT_TYPES = {'color': ['color', 'hair color'], 'materia': ['material'],
                'action': ['activity']}
HEAD_TAIL = {'head': ['red', 'wooden'], 'medium': ['blond', 'shiny'], 'tail': ['running']}
BASE_NOVEL = {'base': {'red': 0, 'blond': 1, 'wooden': 2}, 'novel': {'running': 3, 'shiny': 4}}
TRAIN_1 = [
    dict(image_id=10, instance_id=100, instance_bbox=[5.0, 6.0, 20.0, 10.0],
         instance_polygon=None, object_name='man', positive_attributes=['blond', 'running'],
         negative_attributes=['wooden']),
    dict(image_id=10, instance_id=101, instance_bbox=[0, 0, 8, 8], instance_polygon=None,
         object_name='table', positive_attributes=['wooden'], negative_attributes=[]),
]
TRAIN_2 = [
    dict(image_id=11, instance_id=102, instance_bbox=[1, 2, 0.5, 9], instance_polygon=None,
         object_name='dog', positive_attributes=[], negative_attributes=['red']),
    dict(image_id=11, instance_id=103, instance_bbox=[1, 2, 9, 9], instance_polygon=None,
         object_name='dog', positive_attributes=['shiny'], negative_attributes=['red']),
]


def write_vaw(root, train_1=TRAIN_1, **overrides):
    files = {'data/attribute_index.json': INDEX, 'data/attribute_types.json': TYPES,
             'data/attribute_parent_types.json': PARENT_TYPES, 'data/head_tail.json': HEAD_TAIL,
             'data/base2novel.json': BASE_NOVEL, 'data/train_part1.json': train_1,
             'data/train_part2.json': TRAIN_2}
    files.update(overrides)
    for name, content in files.items():
        path = osp.join(root, name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(content, f)
    return str(root)


def build(root, **kwargs):
    cfg = dict(type='mmdet.VAWDataset', data_root=root, ann_file='data/train_part1.json',
               extra_ann_files=['data/train_part2.json'], head_tail='data/head_tail.json',
               base_novel='data/base2novel.json', data_prefix=dict(img_path='images'))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_vaw_items_and_vocabulary(tmp_path):
    dataset = build(write_vaw(tmp_path), metainfo=dict(
        classes=('person', 'dog'), class_parents=('person', 'animal'), novel_classes=('dog',)))
    meta = dataset.metainfo
    assert meta['attributes'] == ('red', 'blond', 'wooden', 'running', 'shiny')
    assert meta['attribute_types'] == ('color', 'color', 'material', 'activity', 'other')
    assert meta['attribute_groups'] == ('color', 'color', 'materia', 'action', 'other')
    assert meta['attribute_frequency'] == ('head', 'medium', 'head', 'tail', 'medium')
    assert meta['attribute_seen'] == (True, True, True, False, False)
    # the federated category space passes through, with its seen flags
    assert meta['class_parents'] == ('person', 'animal') and meta['seen'] == (True, False)
    # the 0.5-pixel-wide box of instance 102 is skipped; part 2 is read after part 1
    assert [dataset[i]['instance_id'] for i in range(len(dataset))] == [100, 101, 103]
    first = dataset.get_data_info(0)
    assert first['img_path'] == osp.join(str(tmp_path), 'images', '10.jpg')
    assert first['bbox'] == [5.0, 6.0, 25.0, 16.0] and first['img_id'] == 10
    assert first['attribute_targets'].tolist() == [-1, 1, 0, 1, -1]
    assert first['bbox_label'] == -1 and first['object_name'] == 'man'  # 'man' is no class
    assert dataset.get_data_info(2)['bbox_label'] == 1  # 'dog'
    assert dataset.get_data_info(2)['attribute_targets'].dtype == np.int8


def test_vaw_runs_the_clip_attr_pipeline(tmp_path):
    import cv2
    root = write_vaw(tmp_path)
    (tmp_path / 'images').mkdir()
    for image_id in (10, 11):
        cv2.imwrite(str(tmp_path / 'images' / f'{image_id}.jpg'),
                    np.full((40, 48, 3), 128, np.uint8))
    dataset = build(root, pipeline=[
        dict(type='LoadImageFromFile'), dict(type='CropBoxRegion', size=32, scale=1.1),
        dict(type='PackAttributeInputs', label_spaces=('attribute',))])
    packed = dataset[0]
    assert tuple(packed['inputs'].shape) == (3, 32, 32)
    assert packed['data_samples'].gt_attributes.tolist() == [-1, 1, 0, 1, -1]
    assert packed['data_samples'].label_spaces == ('attribute',)


@pytest.mark.parametrize('change, message', [
    (dict(train_1=[dict(TRAIN_1[0], positive_attributes=['purple'])]),
     r"train_part1.json: instance 0 \(instance_id 100\): \"positive_attributes\" has "
     r"\['purple'\], not in the attribute index"),
    (dict(train_1=[{k: v for k, v in TRAIN_1[0].items() if k != 'instance_bbox'}]),
     r'train_part1.json: instance 0 \(instance_id 100\) has no "instance_bbox"'),
    (dict(train_1=[dict(TRAIN_1[0], instance_bbox=[1, 2, 3])]),
     r'instance 0 \(instance_id 100\): the box must be \[x, y, width, height\]'),
    (dict(train_1={'instances': TRAIN_1}),
     r'train_part1.json: VAW annotations must be a JSON list, not dict'),
    ({'data/attribute_index.json': {'red': 0, 'blond': 2}},
     r'attribute_index.json: attribute indices must be the integers 0..1'),
    ({'data/head_tail.json': {'head': ['red'], 'medium': [], 'tail': []}},
     r'head_tail.json: 4 attributes are in none of'),
    ({'data/head_tail.json': {'head': list(INDEX), 'tail': []}},
     r'head_tail.json has no "medium"'),
])
def test_vaw_malformed_files_are_named(tmp_path, change, message):
    root = write_vaw(tmp_path, **change)
    with pytest.raises(AnnotationError, match=message):
        build(root)


def test_vaw_missing_vocabulary_file_is_named(tmp_path):
    root = write_vaw(tmp_path)
    with pytest.raises(FileNotFoundError, match='VAW attribute types .*nowhere.json'):
        build(root, attribute_types='data/nowhere.json')
