"""SAM's automatic mask generator as a proposal generator: output format, padding, config."""
import torch
from mmengine.structures import InstanceData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import ovseg.models  # noqa: F401
from ovseg.models.proposals import SAMProposalGenerator
from ovseg.testing import TINY_SAM_ARCH

_LOOSE = dict(points_per_side=4, points_per_batch=8, pred_iou_thresh=0.0,
              stability_score_thresh=0.0)


def _image(seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(1, 3, 64, 64, generator=gen) * 255


def test_automatic_masks_on_64px_image(tiny_sam):
    generator = SAMProposalGenerator(sam=tiny_sam, **_LOOSE)
    (proposals,) = generator.predict(_image(), None, class_embeddings=torch.rand(3, 8))
    assert isinstance(proposals, InstanceData)
    num = len(proposals)
    assert num >= 1
    assert proposals.masks.shape == (num, 64, 64) and proposals.masks.dtype == torch.float32
    assert set(proposals.masks.unique().tolist()) <= {0.0, 1.0}
    assert proposals.scores.shape == proposals.stability_scores.shape == (num,)
    assert proposals.bboxes.shape == (num, 4)
    assert 'class_logits' not in proposals  # class-agnostic
    assert (proposals.scores[:-1] >= proposals.scores[1:]).all()  # best first


def test_padding_stays_empty_and_records(tiny_sam):
    generator = SAMProposalGenerator(sam=tiny_sam, max_proposals=2, **_LOOSE)
    sample = SegDataSample(metainfo=dict(img_shape=(48, 40)))
    (proposals,) = generator.predict(_image(1), [sample])
    assert proposals.masks.shape[1:] == (64, 64) and len(proposals) <= 2
    assert proposals.masks[:, 48:].sum() == 0 and proposals.masks[:, :, 40:].sum() == 0
    records = generator.generate((_image(1)[0].permute(1, 2, 0)).byte().numpy())
    assert {'segmentation', 'predicted_iou', 'stability_score', 'bbox'} <= set(records[0])


def test_builds_from_config_and_loads_weights(tiny_sam, tiny_sam_checkpoint):
    generator = MODELS.build(dict(type='SAMProposalGenerator', sam=dict(TINY_SAM_ARCH),
                                  checkpoint=tiny_sam_checkpoint, points_per_side=8,
                                  crop_n_layers=1, min_mask_region_area=4))
    assert generator.amg_cfg['crop_n_layers'] == 1
    generator.init_weights()
    for key, value in tiny_sam.state_dict().items():
        assert torch.equal(generator.sam.state_dict()[key], value)
