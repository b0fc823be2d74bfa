"""ovseg.datasets.synthworld.attribute_dataset: attribute targets, unseen ones ignored (-1);
its per-image items and metainfo feed the box-free evaluators."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DATASETS, DefaultScope
from mmengine.structures import InstanceData

import ovseg.datasets  # noqa: F401  (registers the datasets)
import ovseg.evaluation  # noqa: F401  (registers the metrics)
from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES, UNSEEN_ATTRIBUTES, UNSEEN_THINGS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
BOX_FREE_CONFIG = osp.join(ROOT, 'configs/attributes/ovarnet_synthclip-rn-s_synthworld-box-free.py')


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


def _detections_of(sample, keep):
    """Perfect detections of the kept ground-truth objects: their boxes (original pixels),
    labels, and attribute scores 1 for positives and 0 otherwise."""
    gt = sample.gt_instances
    return InstanceData(bboxes=gt.bboxes.tensor[keep], labels=gt.labels[keep],
                        scores=torch.ones(int(keep.sum())),
                        attribute_scores=(gt.attributes[keep] == 1).float())


@pytest.fixture
def mmdet_scope():
    """mmdet as the default scope for one test only (a scope left behind breaks the mmseg
    builds of later tests)."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def test_box_free_config_scores_detections_seen_and_unseen(synthworld_root, mmdet_scope):
    """The OvarNet box-free config's evaluators (box-free attribute mAP, mmdet's OVCocoMetric)
    on the per-image val items: AP50 seen / unseen needs the metainfo's base / novel names."""
    cfg = Config.fromfile(BOX_FREE_CONFIG)
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=synthworld_root))
    items = [dataset[i]['data_samples'] for i in range(len(dataset))]
    novel = [dataset.metainfo['classes'].index(c) for c in UNSEEN_THINGS]
    assert any(np.isin(s.gt_instances.labels.numpy(), novel).any() for s in items)

    def evaluate(drop_unseen: bool) -> dict:
        evaluator = Evaluator(cfg.test_evaluator)
        evaluator.dataset_meta = dataset.metainfo
        for sample in items:
            sample = sample.clone()
            keep = torch.ones(len(sample.gt_instances), dtype=torch.bool)
            if drop_unseen:
                keep = ~torch.isin(sample.gt_instances.labels, torch.tensor(novel))
            sample.pred_instances = _detections_of(sample, keep)
            evaluator.process([sample])
        return evaluator.evaluate(len(items))

    perfect = evaluate(drop_unseen=False)
    assert perfect['attribute/mAP'] == 100 and perfect['attribute/objects_matched'] == 100
    assert perfect['coco/base_ap50'] == 1 and perfect['coco/novel_ap50'] == 1
    seen_only = evaluate(drop_unseen=True)
    assert seen_only['coco/base_ap50'] == 1 and seen_only['coco/novel_ap50'] == 0
    assert 0 < seen_only['attribute/objects_matched'] < 100


def _val_images(root: str, **kwargs):
    return DATASETS.build(dict(
        type='SynthWorldAttributeDataset', data_root=root, per_image=True,
        ann_file='annotations/attributes_val.json', data_prefix=dict(img_path='img_dir/val'),
        **kwargs))


def test_proposal_file_gives_each_image_its_boxes(synthworld_root, tmp_path):
    import pickle

    from ovseg.apis.detection_results import DetectionResultsError
    images = _val_images(synthworld_root)
    # a proposal file written under another root: matched by folder and file name, as mmdet
    proposals = {osp.join('/elsewhere/img_dir/val', osp.basename(images[i]['img_path'])):
                 dict(bboxes=np.array([[1., 2., 10., 12.], [3., 4., 20., 24.]]) + i,
                      scores=np.array([0.9, 0.2])) for i in range(len(images))}
    path = str(tmp_path / 'proposals.pkl')
    with open(path, 'wb') as file:
        pickle.dump(proposals, file)
    dataset = _val_images(synthworld_root, proposal_file=path, proposal_score_thr=0.5)
    for i in range(len(dataset)):
        boxes = dataset.get_data_info(i)['proposals']['bboxes']
        assert boxes.dtype == np.float32
        np.testing.assert_array_equal(boxes, [[1. + i, 2. + i, 10. + i, 12. + i]])
    assert 'proposals' not in images.get_data_info(0)  # only with a proposal file
    # an image with no entry: a clear error naming the file and the image
    del proposals[next(iter(proposals))]
    with open(path, 'wb') as file:
        pickle.dump(proposals, file)
    with pytest.raises(DetectionResultsError, match='proposals.pkl has no boxes for image'):
        _val_images(synthworld_root, proposal_file=path)
    with pytest.raises(ValueError, match='proposal_file needs per_image=True'):
        DATASETS.build(dict(type='SynthWorldAttributeDataset', data_root=synthworld_root,
                            proposal_file=path, ann_file='annotations/attributes_val.json'))
