"""Ground-truth proposals: one mask per labelled class, at the padded input size."""
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import ovseg.models  # noqa: F401  (registers the modules)
from ovseg.models.proposals import GTMaskProposals


def test_registered_under_its_config_name_with_the_other_proposal_sources():
    init_default_scope('mmseg')
    generator = MODELS.build(dict(type='GTMaskProposals', min_area=2))
    assert type(generator) is GTMaskProposals
    assert type(generator).__module__ == 'ovseg.models.proposals.gt_proposals'


def test_masks_of_present_labels_resized_and_padded():
    label = torch.full((1, 4, 6), 255)
    label[0, :2, :3] = 2
    label[0, 2:, :] = 0
    label[0, 0, 5] = 7  # one pixel: dropped by min_area=2 at the input size
    sample = SegDataSample(gt_sem_seg=PixelData(data=label), metainfo=dict(img_shape=(8, 12)))
    generator = GTMaskProposals(min_area=5)
    (out,) = generator.predict(torch.zeros(1, 3, 10, 16), [sample])
    assert out.gt_labels.tolist() == [0, 2]
    assert out.masks.shape == (2, 10, 16)
    assert out.masks[0, 4:8, :12].eq(1).all() and out.masks[0, :4].eq(0).all()
    assert out.masks[1, :4, :6].eq(1).all() and out.masks[1].sum() == 24
    assert out.masks[:, 8:].eq(0).all() and out.masks[:, :, 12:].eq(0).all()  # padding
