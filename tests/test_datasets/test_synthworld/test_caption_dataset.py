"""ovseg.datasets.synthworld.caption_dataset: captions with boxes, and the close-ups."""
import os.path as osp

from mmengine.registry import DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)


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
