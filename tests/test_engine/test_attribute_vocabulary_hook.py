"""Tests for ovseg/engine/attribute_vocabulary_hook.py (the Runner path is exercised by
tests/test_models/test_attributes/test_clip_attr_training.py)."""

import numpy as np

from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES, SynthWorldAttributeDataset
from ovseg.engine.attribute_vocabulary_hook import attribute_label_counts, attribute_vocabulary


def test_label_counts_and_vocabulary_of_the_synthworld_train_split(synthworld_64):
    dataset = SynthWorldAttributeDataset(
        data_root=synthworld_64, ann_file='annotations/attributes_train.json',
        data_prefix=dict(img_path='img_dir/train'))
    counts = attribute_label_counts(dataset, len(SYNTHWORLD_ATTRIBUTES))
    targets = np.stack([dataset.get_data_info(i)['attribute_targets']
                        for i in range(len(dataset))])
    assert counts.tolist() == (targets >= 0).sum(0).tolist()
    for name in ('pink', 'cyan', 'checkered'):  # never labelled in training
        assert counts[SYNTHWORLD_ATTRIBUTES.index(name)] == 0
    assert counts.sum() > 0
    vocab = attribute_vocabulary(dataset.metainfo)
    assert vocab.names == SYNTHWORLD_ATTRIBUTES and vocab.parents[-1] == 'fill'
    assert attribute_vocabulary(dict(classes=('circle',))) is None


def test_label_counts_of_per_image_items_equal_the_per_object_ones(synthworld_64):
    kwargs = dict(data_root=synthworld_64, ann_file='annotations/attributes_train.json',
                  data_prefix=dict(img_path='img_dir/train'))
    per_object = SynthWorldAttributeDataset(**kwargs)
    per_image = SynthWorldAttributeDataset(per_image=True, **kwargs)
    assert len(per_image) < len(per_object)
    assert (attribute_label_counts(per_image, len(SYNTHWORLD_ATTRIBUTES)).tolist()
            == attribute_label_counts(per_object, len(SYNTHWORLD_ATTRIBUTES)).tolist())
