"""OvarNet's SynthWorld config trained, validated and tested end to end through MMEngine's
Runner (tiny ResNet CLIP, 64 px images of ``synthworld_64``), distilled from a tiny CLIP-Attr
teacher given by config file and checkpoint; then tested box-free with the box-free config."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ovseg.compat import read_checkpoint
from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES, UNSEEN_ATTRIBUTES
from ovseg.models.attributes import CLIPAttr
from ovseg.testing import OVARNET_CONFIG, TINY_RN, tiny_ovarnet_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TEACHER_CONFIG = osp.join(ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py')
BOX_FREE_CONFIG = osp.join(ROOT,
                           'configs/attributes/ovarnet_synthclip-rn-s_synthworld-box-free.py')
ITERS = 6


def _teacher(tmp_path) -> tuple:
    """A tiny CLIP-Attr config file and a checkpoint of it (random weights)."""
    cfg = Config.fromfile(TEACHER_CONFIG)
    cfg.model.update(model_name=TINY_RN, pretrained=None, num_context_tokens=3)
    config = str(tmp_path / 'teacher.py')
    cfg.dump(config)
    teacher = CLIPAttr(**{k: v for k, v in cfg.model.items() if k != 'type'})
    checkpoint = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, checkpoint)
    return config, checkpoint, teacher


def _tiny_config(data_root: str, work_dir: str, teacher: str, checkpoint: str,
                 config: str = OVARNET_CONFIG) -> Config:
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    test_cfg = cfg.model.test_cfg
    cfg.model = tiny_ovarnet_config(teacher, checkpoint)
    cfg.model.test_cfg = test_cfg  # the config's (box-given or detecting)
    cfg.train_dataloader.batch_size = 4
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.data_root = data_root
        for step in loader.dataset.pipeline:
            if step.type == 'Resize':
                step.scale = (64, 64)
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = ITERS
    cfg.param_scheduler[0].end = 2
    cfg.default_hooks.checkpoint.interval = ITERS
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    return cfg


@pytest.mark.slow
def test_tiny_training_validates_and_tests_box_given_and_box_free(synthworld_64, tmp_path):
    teacher_config, teacher_checkpoint, teacher = _teacher(tmp_path)
    runner = Runner.from_cfg(_tiny_config(synthworld_64, str(tmp_path / 'work'),
                                          teacher_config, teacher_checkpoint))
    runner.train()
    hub = runner.message_hub
    for key in ('loss_attribute', 'loss_kd_attribute', 'loss_kd_category', 'loss_rpn_cls',
                'loss_bbox'):
        values = hub.get_scalar(f'train/{key}').data[0]
        assert len(values) == ITERS and all(v == v for v in values), key  # finite, logged
    model = runner.model
    torch.testing.assert_close(model.teacher.state_dict(), teacher.state_dict())
    for name in UNSEEN_ATTRIBUTES:  # the hook: no supervision of unseen attributes
        assert model.attribute_weights[SYNTHWORLD_ATTRIBUTES.index(name)] == 0
    assert model.teacher._attributes == model._attributes  # vocabularies reach the teacher

    first = runner.test()
    assert {'attribute/mAP', 'attribute/mAP_unseen', 'attribute/category_top1'} <= set(first)
    assert 0 < first['attribute/mAP'] <= 100
    assert runner.test() == first  # box-given evaluation is deterministic
    checkpoint = read_checkpoint(osp.join(runner.work_dir, f'iter_{ITERS}.pth'))
    assert not [k for k in checkpoint['state_dict'] if 'teacher' in k]

    # the box-free config on the same checkpoint: detections, box-free attribute mAP and
    # mmdet's category AP50 seen / unseen
    cfg = _tiny_config(synthworld_64, str(tmp_path / 'free'), teacher_config,
                       teacher_checkpoint, config=BOX_FREE_CONFIG)
    cfg.load_from = osp.join(runner.work_dir, f'iter_{ITERS}.pth')
    free = Runner.from_cfg(cfg).test()
    assert 0 < free['attribute/objects_matched'] <= 100 and 0 < free['attribute/mAP'] <= 100
    assert {'coco/base_ap50', 'coco/novel_ap50'} <= set(free)
