"""ovseg.datasets.synthworld.seg_dataset: the semantic maps through mmseg's loaders."""
import pytest
from mmseg.registry import DATASETS as SEG_DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets.synthworld import SYNTHWORLD_SEG_CLASSES, UNSEEN_THINGS


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
