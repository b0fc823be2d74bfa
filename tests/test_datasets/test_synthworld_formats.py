"""Every SynthWorld file loads through the stock OpenMMLab loaders and pycocotools."""
import os.path as osp

import numpy as np
import pytest
from mmdet.registry import DATASETS as DET_DATASETS
from mmengine.registry import DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets.synthworld import (SYNTHWORLD_ATTRIBUTES, SYNTHWORLD_SEG_CLASSES,
                                       SYNTHWORLD_THINGS, UNSEEN_ATTRIBUTES, UNSEEN_THINGS)


@pytest.mark.parametrize('split', ['train', 'val'])
def test_seg_dataset_pipeline(synthworld_root, split):
    dataset = SEG_DATASETS.build(dict(
        type='SynthWorldSegDataset', data_root=synthworld_root,
        data_prefix=dict(img_path=f'img_dir/{split}', seg_map_path=f'ann_dir/{split}'),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='mmseg.LoadAnnotations'),
                  dict(type='mmseg.PackSegInputs')]))
    assert len(dataset) == (8 if split == 'train' else 6)
    assert dataset.metainfo['classes'] == SYNTHWORLD_SEG_CLASSES
    assert sum(not s for s in dataset.metainfo['seen']) == len(UNSEEN_THINGS)
    assert dataset.metainfo['class_synonyms'][0].startswith('circle, ')
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 96, 96)
    labels = sample['data_samples'].gt_sem_seg.data
    assert tuple(labels.shape) == (1, 96, 96)
    assert set(labels.unique().tolist()) <= set(range(len(SYNTHWORLD_SEG_CLASSES))) | {255}


@pytest.mark.parametrize('split', ['train', 'val'])
def test_det_dataset_pipeline(synthworld_root, split):
    dataset = DET_DATASETS.build(dict(
        type='mmdet.SynthWorldDetDataset', data_root=synthworld_root,
        ann_file=f'annotations/instances_{split}.json', data_prefix=dict(img=f'img_dir/{split}/'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True),
                  dict(type='mmdet.PackDetInputs')]))
    assert dataset.metainfo['classes'] == SYNTHWORLD_THINGS
    labels = {inst['bbox_label'] for i in range(len(dataset))
              for inst in dataset.get_data_info(i)['instances']}
    unseen = {SYNTHWORLD_THINGS.index(c) for c in UNSEEN_THINGS}
    assert bool(labels & unseen) == (split == 'val')
    instances = dataset[0]['data_samples'].gt_instances
    assert len(instances.bboxes) == len(instances.masks) > 0
    assert instances.masks.masks.shape[1:] == (96, 96)


def test_coco_masks_match_semantic_map(synthworld_root):
    coco = COCO(osp.join(synthworld_root, 'annotations', 'instances_val.json'))
    assert sorted(coco.getCatIds()) == list(range(1, len(SYNTHWORLD_THINGS) + 1))
    for image in coco.loadImgs(coco.getImgIds()):
        labels = np.asarray(Image.open(
            osp.join(synthworld_root, 'ann_dir', 'val', image['file_name'])))
        union = np.zeros_like(labels, dtype=bool)
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=image['id'])):
            mask = coco.annToMask(ann).astype(bool)
            assert ann['iscrowd'] == 0 and ann['area'] == mask.sum() > 0
            assert (labels[mask] == ann['category_id'] - 1).all()
            x, y, w, h = ann['bbox']
            assert np.array_equal(mask_utils.toBbox(mask_utils.encode(
                np.asfortranarray(mask.astype(np.uint8)))), [x, y, w, h])
            union |= mask
        assert np.array_equal(union, labels < len(SYNTHWORLD_THINGS))


def test_caption_dataset_with_boxes(synthworld_root):
    dataset = DATASETS.build(dict(
        type='SynthWorldCaptionDataset', data_root=synthworld_root,
        ann_file='annotations/captions_val.json', instance_file='annotations/instances_val.json',
        data_prefix=dict(img_path='img_dir/val'), pipeline=[dict(type='LoadImageFromFile')]))
    sample = dataset[0]
    assert sample['img'].shape == (96, 96, 3)
    assert len(sample['captions']) >= 1 and all(isinstance(c, str) for c in sample['captions'])
    x1, y1, x2, y2 = sample['instances'][0]['bbox']
    assert 0 <= x1 < x2 <= 96 and 0 <= y1 < y2 <= 96
    assert SEG_DATASETS.get('SynthWorldCaptionDataset') is type(dataset)  # found via the root


def test_caption_dataset_reads_the_closeups(synthworld_root):
    dataset = DATASETS.build(dict(
        type='SynthWorldCaptionDataset', data_root=synthworld_root,
        ann_file='annotations/captions_closeup.json', data_prefix=dict(img_path='img_dir/closeup')))
    assert len(dataset) == 4
    closeup = dataset.get_data_info(0)
    assert closeup['img_path'].endswith(osp.join('img_dir', 'closeup', '000000.png'))
    assert closeup['captions'] and closeup['instances'] == []


def test_attribute_dataset_targets(synthworld_root):
    dataset = DATASETS.build(dict(
        type='SynthWorldAttributeDataset', data_root=synthworld_root,
        ann_file='annotations/attributes_train.json', data_prefix=dict(img_path='img_dir/train')))
    unseen = [SYNTHWORLD_ATTRIBUTES.index(a) for a in UNSEEN_ATTRIBUTES]
    targets = np.stack([dataset[i]['attribute_targets'] for i in range(len(dataset))])
    assert targets.shape == (len(dataset), len(SYNTHWORLD_ATTRIBUTES))
    assert (targets[:, unseen] == -1).all()
    assert ((targets == 1).sum(1) <= 4).all() and (targets == 0).any() and (targets == -1).any()
    assert not set(dataset.metainfo['attribute_seen'][i] for i in unseen) - {False}


def test_text_retrieval_dataset(synthworld_root):
    dataset = DATASETS.build(dict(
        type='SynthWorldTextRetrievalDataset', data_root=synthworld_root,
        ann_file='annotations/text_val.json', data_prefix=dict(img_path='img_dir/val')))
    queries = dataset.metainfo['queries']
    assert queries and len(dataset.metainfo['vocabulary']) >= 200
    ids = {dataset[i]['img_id']: dataset[i] for i in range(len(dataset))}
    for query in queries:
        assert all(query['query'] in ids[i]['words'] for i in query['img_ids'])
    for item in ids.values():
        assert item['polygons'].shape == (len(item['words']), 4, 2)
