"""CLIP-Attr box-free (``CLIPAttr.predict_proposals`` through the box-free config and
MMEngine's Runner): another detector's boxes, read from a dumped results file, scored per
image and matched to the ground truth as OvarNet's box-free config does (tiny ResNet CLIP,
the 6 val images of ``synthworld_64``)."""
import os.path as osp
import pickle

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS
from mmengine.runner import Runner

from ovseg.models.attributes import CLIPAttr
from ovseg.testing import TINY_RN

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
BOX_GIVEN = osp.join(ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py')
BOX_FREE = osp.join(ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld-box-free.py')


def _config(config: str, data_root: str, work_dir: str, checkpoint: str) -> Config:
    cfg = Config.fromfile(config)
    cfg.model.update(model_name=TINY_RN, pretrained=None, num_context_tokens=3)
    cfg.work_dir, cfg.load_from = work_dir, checkpoint
    loader = cfg.test_dataloader
    loader.update(num_workers=0, persistent_workers=False)
    loader.dataset.data_root = data_root
    return cfg


def _dump(dataset, path: str, extra_score: float) -> None:
    """mmdet's DumpDetResults layout: per image the ground-truth boxes scored 0.9, then a
    background box in a corner scored ``extra_score``."""
    results = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        boxes = [obj['bbox'] for obj in info['instances']] + [[0., 0., 6., 6.]]
        scores = [0.9] * len(info['instances']) + [extra_score]
        results.append(dict(img_path=info['img_path'], img_id=info['img_id'],
                            pred_instances=dict(bboxes=torch.tensor(boxes),
                                                scores=torch.tensor(scores))))
    with open(path, 'wb') as file:
        pickle.dump(results, file)


@pytest.mark.slow
def test_box_free_on_the_ground_truth_boxes_equals_box_given(synthworld_64, tmp_path):
    given = _config(BOX_GIVEN, synthworld_64, str(tmp_path / 'given'), '')
    model = CLIPAttr(**{k: v for k, v in given.model.items() if k != 'type'})
    checkpoint = str(tmp_path / 'clip_attr.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    given.load_from = checkpoint
    given.test_dataloader.dataset.pipeline[1].size = model.crop_size  # as predict_boxes
    box_given = Runner.from_cfg(given).test()

    free = _config(BOX_FREE, synthworld_64, str(tmp_path / 'free'), checkpoint)
    dataset = DATASETS.build(dict(free.test_dataloader.dataset, lazy_init=False))
    proposals = str(tmp_path / 'dets.pkl')
    _dump(dataset, proposals, extra_score=0.3)
    free.test_dataloader.dataset.proposal_file = proposals
    box_free = Runner.from_cfg(free).test()
    # the same crops of the same boxes: every object matched, the same attribute APs
    assert box_free['attribute/objects_matched'] == 100
    for key in ('attribute/mAP', 'attribute/mAP_seen', 'attribute/mAP_unseen'):
        assert box_free[key] == pytest.approx(box_given[key], abs=1e-3), key
    assert {'coco/base_ap50', 'coco/novel_ap50'} <= set(box_free)

    # above the score threshold, only the background boxes: no object matched
    free = _config(BOX_FREE, synthworld_64, str(tmp_path / 'thr'), checkpoint)
    _dump(dataset, proposals, extra_score=0.95)
    free.test_dataloader.dataset.update(proposal_file=proposals, proposal_score_thr=0.92)
    assert Runner.from_cfg(free).test()['attribute/objects_matched'] == 0


def test_whole_images_without_proposals_are_refused():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    model = CLIPAttr(model_name=TINY_RN, num_context_tokens=3)
    sample = DetDataSample(gt_instances=InstanceData(bboxes=torch.zeros(1, 4)))
    with pytest.raises(ValueError, match='without proposals: give the dataset a proposal_file'):
        model.test_step(dict(inputs=[torch.zeros(3, 32, 32, dtype=torch.uint8)],
                             data_samples=[sample]))
