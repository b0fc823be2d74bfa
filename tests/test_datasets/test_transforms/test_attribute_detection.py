"""Tests for ovseg/datasets/transforms/attribute_detection.py: attribute rows follow the boxes."""
import numpy as np

from ovseg.datasets.transforms import LoadAttributeAnnotations, PackDetAttributeInputs


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


def test_image_without_objects():
    results = LoadAttributeAnnotations(num_attributes=3)(dict(instances=[]))
    assert results['gt_attributes'].shape == (0, 3)
