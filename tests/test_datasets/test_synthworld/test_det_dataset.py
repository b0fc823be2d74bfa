"""ovseg.datasets.synthworld.det_dataset: the COCO instances through mmdet's loaders."""
import pytest
from mmdet.registry import DATASETS as DET_DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets.synthworld import SYNTHWORLD_THINGS, UNSEEN_THINGS


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
