"""ovseg.datasets.synthworld.attribute_dataset: attribute targets, unseen ones ignored (-1)."""
import numpy as np
from mmengine.registry import DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)
from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES, UNSEEN_ATTRIBUTES


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
