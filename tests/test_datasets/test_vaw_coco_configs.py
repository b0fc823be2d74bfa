"""The VAW + COCO and OVAD configs on hand-made files in the real formats: the federated
dataset builds, CLIP-Attr trains and tests through MMEngine's Runner (tiny ResNet CLIP, 32 px
crops), and the OVAD box-free data path feeds the box-free metric."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS, METRICS
from mmengine.runner import Runner

from ovseg.testing import TINY_RN
from test_datasets.test_ovad import OVAD
from test_datasets.test_vaw import write_vaw

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/attributes/clip-attr_r50-clip_vaw-coco.py')
OVAD_CONFIG = osp.join(ROOT, 'configs/attributes/clip-attr_vit-b16-clip_ovad-zero-shot.py')


def _image(path, size=(48, 64)):
    rng = np.random.default_rng(len(path))
    cv2.imwrite(path, rng.integers(0, 255, (*size, 3), dtype=np.uint8))


def _coco_root(tmp_path, cfg):
    """A COCO root with every class of the config (its super-categories) and three objects."""
    root = tmp_path / 'coco'
    (root / 'annotations').mkdir(parents=True)
    (root / 'train2017').mkdir()
    names, parents = cfg.coco_classes, cfg.coco_parents
    categories = [dict(id=k + 1, name=n, supercategory=p) for k, (n, p) in
                  enumerate(zip(names, parents))]
    images = [dict(id=1, width=64, height=48, file_name='1.jpg')]
    anns = [dict(id=k + 1, image_id=1, bbox=[4 * k, 4, 20, 16], area=320, iscrowd=0,
                 category_id=names.index(n) + 1) for k, n in enumerate(('person', 'dog', 'cup'))]
    (root / 'annotations' / 'instances_train2017.json').write_text(
        json.dumps(dict(images=images, annotations=anns, categories=categories)))
    _image(str(root / 'train2017' / '1.jpg'))
    return str(root)


def _vaw_root(tmp_path):
    root = tmp_path / 'vaw'
    write_vaw(root)
    (root / 'images').mkdir()
    for image_id in (10, 11):
        _image(str(root / 'images' / f'{image_id}.jpg'))
    for split in ('val', 'test'):
        (root / 'data' / f'{split}.json').write_text(
            (root / 'data' / 'train_part1.json').read_text())
    (root / 'data' / 'base2novel_att2id.json').write_text(
        (root / 'data' / 'base2novel.json').read_text())
    return str(root)


def _tiny_config(tmp_path) -> Config:
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.model_name = TINY_RN
    cfg.model.pretrained = None
    cfg.model.num_context_tokens = 3
    coco_root, vaw_root = _coco_root(tmp_path, cfg), _vaw_root(tmp_path)
    vaw, coco = cfg.train_dataloader.dataset.datasets
    vaw.data_root = cfg.test_dataloader.dataset.data_root = vaw_root
    coco.data_root = coco_root
    coco.pipeline[-1].num_attributes = 5  # the hand-made VAW vocabulary
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        loader.batch_size, loader.num_workers, loader.persistent_workers = 4, 0, False
        datasets = loader.dataset.get('datasets', [loader.dataset])
        for dataset in datasets:
            dataset.pipeline[1].size = 32
    cfg.train_cfg.max_epochs = 1
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None  # the test split suffices
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0)]
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    return cfg


@pytest.mark.slow
def test_vaw_coco_config_trains_federated_and_tests(tmp_path, monkeypatch):
    # The Runner prints the config six times (log, dump, visualizer, checkpoint meta); yapf
    # takes ~7 s a time on the 65-category tuples. Print it unformatted: nothing is checked
    # on the text.
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: repr(self.to_dict())))
    cfg = _tiny_config(tmp_path)
    classes = cfg.test_dataloader.dataset.metainfo.classes
    runner = Runner.from_cfg(cfg)
    train_set = runner.train_dataloader.dataset
    # VAW's 3 objects (one box < 1 px is skipped) and COCO's base objects (the novel dog
    # and cup are left out): each sample supervises its own label space only
    assert len(train_set) == 3 + 1
    spaces = [train_set[i]['data_samples'].label_spaces for i in range(len(train_set))]
    assert spaces == [('attribute',)] * 3 + [('category',)]
    runner.train()
    model = runner.model
    assert model._categories.parents[classes.index('zebra')] == 'animal'
    assert model._attributes.parents == ('color', 'color', 'material', 'activity', 'other')
    # novel attributes ('running', 'shiny') and the 17 novel categories are never trained
    assert model.attribute_weights[3:].tolist() == [0, 0]
    assert model.category_weights.sum() == 48
    result = runner.test()
    assert {'attribute/mAP', 'attribute/mAP_head', 'attribute/mAP_seen',
            'attribute/mAP_group_color', 'attribute/mAP_type_material'} <= set(result)
    assert torch.isfinite(model.logit_scale)


def test_ovad_config_box_given_and_box_free_data(tmp_path):
    cfg = Config.fromfile(OVAD_CONFIG)
    ann_file = tmp_path / 'ovad' / 'ovad2000.json'
    ann_file.parent.mkdir()
    ann_file.write_text(json.dumps(OVAD))
    meta = dict(classes=('person', 'dog', 'cup'))
    given = cfg.test_dataloader.dataset
    given.update(data_root=str(tmp_path), metainfo=meta)
    given = DATASETS.build(dict(given, type='mmdet.OVADDataset'))
    assert len(given) == 2 and given.metainfo['attribute_types'][1] == 'hair color'
    assert cfg.test_evaluator.type == 'AttributeMAPMetric' and cfg.train_dataloader is None

    free = cfg.box_free_dataloader.dataset
    free.update(data_root=str(tmp_path), metainfo=meta)
    free.pipeline = free.pipeline[2:]  # no image to load: annotations and packing only
    free = DATASETS.build(dict(free, type='mmdet.OVADDataset'))
    metric = METRICS.build(cfg.box_free_evaluator)
    metric.dataset_meta = free.metainfo
    for index in range(len(free)):
        packed = free[index]['data_samples']
        gt = packed.gt_instances
        # a detector that finds the first object exactly and scores every attribute 0.5
        # but the right ones 0.9
        boxes = gt.bboxes.tensor[:1]
        scores = torch.where(gt.attributes[:1] == 1, 0.9, 0.5)
        sample = dict(gt_instances=gt.to_dict(),
                      pred_instances=dict(bboxes=boxes, attribute_scores=scores,
                                          scores=torch.ones(len(boxes))))
        metric.process(None, [sample])
    result = metric.evaluate(len(free))
    # image 1: object 2309 matched (black+ .9, clean- .5), object 2310 missed (zeros);
    # image 2: its only object is a crowd box, not evaluated
    assert result['attribute/objects_matched'] == pytest.approx(50.0)
    # 'black' (color): P .9 vs N 0 -> 1; 'black' (hair): P 0 only -> 1; 'clean': N .5, P 0 -> 1/2
    assert result['attribute/mAP'] == pytest.approx(100 * (1 + 1 + 0.5) / 3)
    assert result['attribute/mAP_tail'] == pytest.approx(100.0)
