"""Tests for ovseg/datasets/ovad.py on a hand-made ovad2000.json."""
import copy
import json

import numpy as np
import pytest
from mmdet.registry import DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets import AnnotationError
from ovseg.models.clip import Vocabulary

ATTRIBUTES = [
    dict(id=0, name='color:black', type='color', parent_type='color', is_has_att='is',
         freq_set='head'),
    dict(id=1, name='hair color:black', type='hair color', parent_type='color',
         is_has_att='has', freq_set='tail'),
    dict(id=2, name='cleanliness:clean/neat', type='cleanliness', parent_type='cleanliness',
         is_has_att='is', freq_set='medium'),
]
OVAD = dict(
    info=dict(description='OVAD 2022 Dataset ovad'),
    images=[dict(id=69356, width=64, height=48, file_name='000000069356.jpg'),
            dict(id=7, width=64, height=48, file_name='000000000007.jpg')],
    categories=[dict(supercategory='person', isthing=1, id=1, name='person', ov_set='base'),
                dict(supercategory='animal', isthing=1, id=18, name='dog', ov_set='novel'),
                dict(supercategory='kitchen', isthing=1, id=47, name='cup', ov_set='novel')],
    attributes=ATTRIBUTES,
    annotations=[
        dict(id=2309, image_id=69356, bbox=[5.5, 6.0, 20.0, 30.0], area=600.0, iscrowd=0,
             category_id=1, att_vec=[1, -1, 0]),
        dict(id=2310, image_id=69356, bbox=[30, 10, 20, 20], area=400.0, iscrowd=0,
             category_id=18, att_vec=[0, 1, 1]),
        dict(id=2311, image_id=7, bbox=[1, 1, 30, 30], area=900.0, iscrowd=1,
             category_id=47, att_vec=[-1, -1, -1]),
    ])
CLASSES = ('person', 'dog', 'cup')


def write(tmp_path, content=OVAD):
    path = tmp_path / 'ovad2000.json'
    path.write_text(json.dumps(content))
    return str(path)


def build(ann_file, **kwargs):
    return DATASETS.build(dict(type='mmdet.OVADDataset', ann_file=ann_file,
                               metainfo=dict(classes=CLASSES), data_prefix=dict(img='val2017'),
                               test_mode=True, **kwargs))


def test_ovad_per_instance_items(tmp_path):
    dataset = build(write(tmp_path), per_instance=True)
    meta = dataset.metainfo
    assert meta['attributes'] == ('black', 'black', 'clean, neat')  # synonyms '/' -> ', '
    assert meta['attribute_types'] == ('color', 'hair color', 'cleanliness')
    assert meta['attribute_groups'] == ('color', 'color', 'cleanliness')
    assert meta['attribute_frequency'] == ('head', 'tail', 'medium')
    assert meta['attribute_is_has'] == ('is', 'has', 'is')
    assert 'attribute_seen' not in meta  # OVAD has no base / novel attributes
    assert meta['class_parents'] == ('person', 'animal', 'kitchen')
    assert meta['seen'] == (True, False, False) and meta['novel_classes'] == ('dog', 'cup')
    # the same word under two types is two classes of the attribute vocabulary
    vocab = Vocabulary(list(meta['attributes']), parents=meta['attribute_types'])
    assert vocab.texts == (('black',), ('black',), ('clean', 'neat'))
    # one item per object, crowd left out; boxes x1 y1 x2 y2
    assert len(dataset) == 2
    first, second = dataset.get_data_info(0), dataset.get_data_info(1)
    assert first['instance_id'] == 2309 and first['img_id'] == 69356
    assert first['bbox'] == [5.5, 6.0, 25.5, 36.0] and first['bbox_label'] == 0
    assert first['img_path'].endswith('val2017/000000069356.jpg')
    assert first['attribute_targets'].tolist() == [1, -1, 0]
    assert first['positive_attributes'] == ['black'] and first['negative_attributes'] == [
        'clean, neat']
    assert second['bbox_label'] == 1 and second['attribute_targets'].tolist() == [0, 1, 1]


def test_ovad_per_image_items_and_box_free_pipeline(tmp_path):
    dataset = build(write(tmp_path), pipeline=[
        dict(type='LoadAttributeAnnotations'),
        dict(type='PackDetAttributeInputs', meta_keys=('img_id',))])
    assert len(dataset) == 2
    image = dataset.get_data_info(0)
    assert [i['instance_id'] for i in image['instances']] == [2309, 2310]
    # no image loading in this pipeline: pack what the annotations give
    image = dict(image, img=np.zeros((48, 64, 3), np.uint8))
    packed = dataset.pipeline(image)
    gt = packed['data_samples'].gt_instances
    assert gt.attributes.tolist() == [[1, -1, 0], [0, 1, 1]]
    assert gt.bboxes.tensor.tolist() == [[5.5, 6.0, 25.5, 36.0], [30, 10, 50, 30]]
    crowd = dataset.pipeline(dict(dataset.get_data_info(1), img=np.zeros((48, 64, 3), np.uint8)))
    assert len(crowd['data_samples'].gt_instances) == 0
    assert crowd['data_samples'].ignored_instances.attributes.shape == (1, 3)


def _broken(path, value):
    content = copy.deepcopy(OVAD)
    target = content
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return content


@pytest.mark.parametrize('path, value, message', [
    (('annotations', 0, 'att_vec'), [1, 0],
     r'ovad2000.json: annotation id 2309: "att_vec" has 2 entries for 3 attributes'),
    (('annotations', 1, 'att_vec'), [1, 0, 2], r'annotation id 2310: "att_vec" entries must be'),
    (('annotations', 0, 'att_vec'), None, r'annotation id 2309 has no "att_vec"'),
    (('annotations', 0, 'category_id'), 0,
     r'annotation id 2309 has category_id 0, not the "id" of a category'),
    (('attributes', 2, 'name'), 'clean', r'attribute id 2: name .clean. is not "type:syn1/syn2"'),
    (('attributes', 1, 'freq_set'), 'rare', r'attribute id 1: "freq_set" must be one of'),
    (('attributes', 1, 'id'), 0, r'attributes\[1\]: id 0 appears twice'),
    (('attributes',), None, r'"attributes" must be a non-empty list'),
    (('categories', 1, 'supercategory'), None, r"category 'dog' has no \"supercategory\""),
])
def test_ovad_malformed_file_is_named(tmp_path, path, value, message):
    with pytest.raises(AnnotationError, match=message):
        build(write(tmp_path, _broken(path, value)), per_instance=True)
