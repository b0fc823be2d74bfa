"""Tests for ovseg/datasets/coco_categories.py: parents, base / novel, per-object items."""
import pytest
from mmdet.registry import DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets import coco_ov_metainfo
from ovseg.datasets.coco_categories import COCO_OV_BASE, COCO_OV_CLASSES, COCO_OV_NOVEL
from ovseg.models.clip import Vocabulary
from test_datasets.test_ovad import CLASSES, OVAD, build, write


def test_coco_categories_split_and_parents(tmp_path):
    coco = {k: v for k, v in OVAD.items() if k != 'attributes'}
    coco['annotations'] = [{k: v for k, v in a.items() if k != 'att_vec'}
                           for a in coco['annotations']]
    ann_file = write(tmp_path, coco)
    dataset = DATASETS.build(dict(
        type='mmdet.CocoCategoryDataset', ann_file=ann_file, per_instance=True, test_mode=True,
        data_prefix=dict(img=''),
        metainfo=dict(classes=CLASSES, novel_classes=('cup',))))
    assert dataset.metainfo['seen'] == (True, True, False)  # the metainfo split wins
    assert dataset.metainfo['base_classes'] == ('person', 'dog')
    assert dataset.metainfo['class_parents'] == ('person', 'animal', 'kitchen')
    assert [dataset.get_data_info(i)['bbox_label'] for i in range(len(dataset))] == [0, 1]
    assert 'attribute_targets' not in dataset.get_data_info(0)
    # in a federated label space (metainfo with attributes), COCO labels no attribute
    federated = DATASETS.build(dict(
        type='mmdet.CocoCategoryDataset', ann_file=ann_file, per_instance=True, test_mode=True,
        data_prefix=dict(img=''),
        metainfo=dict(classes=CLASSES, attributes=('red', 'striped'))))
    assert federated.get_data_info(0)['attribute_targets'].tolist() == [-1, -1]
    assert Vocabulary.from_metainfo(federated.metainfo).parents == ('person', 'animal',
                                                                    'kitchen')
    # open-vocabulary training: objects of novel classes are left out, not negatives
    train = DATASETS.build(dict(
        type='mmdet.CocoCategoryDataset', ann_file=ann_file, per_instance=True, test_mode=True,
        data_prefix=dict(img=''), skip_novel_instances=True,
        metainfo=dict(classes=CLASSES, novel_classes=('dog', 'cup'))))
    assert [train.get_data_info(i)['instance_id'] for i in range(len(train))] == [2309]
    # per image, in training, an image whose objects are all novel has none left
    coco['images'].append(dict(id=8, width=64, height=48, file_name='8.jpg'))
    coco['annotations'].append(dict(id=2312, image_id=8, bbox=[1, 1, 30, 30], area=900.0,
                                    iscrowd=0, category_id=18))
    images = DATASETS.build(dict(
        type='mmdet.CocoCategoryDataset', ann_file=write(tmp_path, coco), data_prefix=dict(img=''),
        skip_novel_instances=True, filter_cfg=dict(filter_empty_gt=True),
        metainfo=dict(classes=CLASSES, novel_classes=('dog', 'cup'))))
    assert [images.get_data_info(i)['img_id'] for i in range(len(images))] == [69356]


def test_coco_ov_split():
    assert len(COCO_OV_BASE) == 48 and len(COCO_OV_NOVEL) == 17 and len(COCO_OV_CLASSES) == 65
    assert not set(COCO_OV_BASE) & set(COCO_OV_NOVEL)
    assert len(coco_ov_metainfo(split='48_32')['novel_classes']) == 32
    with pytest.raises(ValueError, match="split must be '48_17' or '48_32'"):
        coco_ov_metainfo(split='65')


def test_category_ap50_base_novel_with_mmdet_ov_coco_metric(tmp_path):
    # category AP50 of detections is mmdet's OVCocoMetric, fed by the dataset's split
    import torch
    from mmdet.registry import METRICS
    ann_file = write(tmp_path)
    dataset = build(ann_file)
    metric = METRICS.build(dict(type='mmdet.OVCocoMetric', ann_file=ann_file, metric='bbox'))
    metric.dataset_meta = dataset.metainfo
    # the person (base) found exactly, the dog (novel) missed by a wrong box
    metric.process(None, [dict(img_id=69356, ori_shape=(48, 64), pred_instances=dict(
        bboxes=torch.tensor([[5.5, 6.0, 25.5, 36.0], [0.0, 40.0, 10.0, 48.0]]),
        scores=torch.tensor([0.9, 0.8]), labels=torch.tensor([0, 1])))])
    metric.process(None, [dict(img_id=7, ori_shape=(48, 64), pred_instances=dict(
        bboxes=torch.zeros((0, 4)), scores=torch.zeros(0), labels=torch.zeros(0).long()))])
    result = metric.evaluate(2)
    assert result['coco/base_ap50'] == pytest.approx(1.0)
    assert result['coco/novel_ap50'] == pytest.approx(0.0)
