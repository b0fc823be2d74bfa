"""Tests for ovseg/datasets/transforms/attribute_detection.py: per-image attribute samples,
attribute rows following the boxes."""
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope

import ovseg.datasets  # noqa: F401  (registers the datasets and transforms)
from ovseg.datasets.synthworld import SynthWorldAttributeDataset
from ovseg.datasets.transforms import LoadAttributeAnnotations, PackDetAttributeInputs


def test_per_image_pipeline_keeps_attributes_with_their_boxes(synthworld_root):
    kwargs = dict(data_root=synthworld_root, ann_file='annotations/attributes_train.json',
                  data_prefix=dict(img_path='img_dir/train'))
    objects = SynthWorldAttributeDataset(**kwargs)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAttributeAnnotations'),
                dict(type='Resize', scale=(32, 32), keep_ratio=True),
                dict(type='RandomFlip', prob=1.0),
                dict(type='PackDetAttributeInputs', label_spaces=('attribute',))]
    with DefaultScope.overwrite_default_scope('mmdet'):  # mmdet's transforms, as configs
        images = SynthWorldAttributeDataset(per_image=True, pipeline=pipeline, **kwargs)
    assert sum(len(images.get_data_info(i)['instances']) for i in range(len(images))) == len(
        objects)
    sample = images[0]['data_samples']
    info = images.get_data_info(0)
    first = [objects.get_data_info(i) for i in range(len(objects))
             if objects.get_data_info(i)['img_id'] == info['img_id']]
    gt = sample.gt_instances
    assert gt.attributes.dtype == torch.int64
    assert gt.attributes.tolist() == [o['attribute_targets'].tolist() for o in first]
    assert gt.labels.tolist() == [o['bbox_label'] for o in first]
    scale = 32 / info['width']
    x1, y1, x2, y2 = first[0]['bbox']  # resized, then flipped horizontally
    np.testing.assert_allclose(gt.bboxes.tensor[0].tolist(),
                               [32 - x2 * scale, y1 * scale, 32 - x1 * scale, y2 * scale],
                               atol=1e-4)
    assert sample.label_spaces == ('attribute',) and sample.boxes_exhaustive is False


def test_flags_and_empty_images():
    assert PackDetAttributeInputs().boxes_exhaustive is True  # detection labels: exhaustive
    assert PackDetAttributeInputs(label_spaces=('category',),
                                  boxes_exhaustive=False).boxes_exhaustive is False
    with pytest.raises(ValueError, match='label_spaces'):
        PackDetAttributeInputs(label_spaces=('colour',))
    empty = Compose([LoadAttributeAnnotations(num_attributes=5)])(dict(instances=[]))
    assert empty['gt_attributes'].shape == (0, 5)


def test_attribute_rows_follow_boxes_and_ignore_flags():
    results = dict(img=np.zeros((8, 8, 3), np.uint8), img_id=1, instances=[
        dict(bbox=[0, 0, 4, 4], bbox_label=0, ignore_flag=0,
             attribute_targets=np.array([1, 0, -1], np.int8)),
        dict(bbox=[1, 1, 5, 5], bbox_label=1, ignore_flag=1,
             attribute_targets=np.array([0, 0, 1], np.int8)),
        dict(bbox=[2, 2, 6, 6], bbox_label=1, ignore_flag=0)])  # no labels: all unknown
    results = LoadAttributeAnnotations()(results)
    assert results['gt_attributes'].tolist() == [[1, 0, -1], [0, 0, 1], [-1, -1, -1]]
    sample = PackDetAttributeInputs(meta_keys=('img_id',))(results)['data_samples']
    assert sample.gt_instances.attributes.tolist() == [[1, 0, -1], [-1, -1, -1]]
    assert sample.ignored_instances.attributes.tolist() == [[0, 0, 1]]
