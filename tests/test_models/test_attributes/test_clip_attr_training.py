"""CLIP-Attr's SynthWorld config trained and tested end to end through MMEngine's Runner
(tiny ResNet CLIP, 32 px crops, the 16-image world of ``synthworld_64``)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ovseg.datasets.synthworld import SYNTHWORLD_ATTRIBUTES, UNSEEN_ATTRIBUTES, UNSEEN_THINGS
from ovseg.testing import TINY_RN

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py')
ITERS = 20


def _tiny_config(data_root: str, work_dir: str) -> Config:
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = work_dir
    cfg.model.model_name = TINY_RN
    cfg.model.pretrained = None
    cfg.model.num_context_tokens = 6
    cfg.train_dataloader.batch_size = 8
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.data_root = data_root
        loader.dataset.pipeline[1].size = 32
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = ITERS
    cfg.default_hooks.checkpoint.interval = ITERS
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    return cfg


@pytest.mark.slow
def test_tiny_training_learns_and_tests_deterministically(synthworld_64, tmp_path):
    runner = Runner.from_cfg(_tiny_config(synthworld_64, str(tmp_path / 'work')))
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    assert len(losses) == ITERS and losses[-5:].mean() < 0.85 * losses[:5].mean()

    model = runner.model
    # the hook gave parents, and unseen attributes / categories no weight in the loss
    assert model._attributes.parents[SYNTHWORLD_ATTRIBUTES.index('pink')] == 'color'
    assert model._categories.parents == ('shape',) * 14
    for name in UNSEEN_ATTRIBUTES:
        assert model.attribute_weights[SYNTHWORLD_ATTRIBUTES.index(name)] == 0
    seen = model.attribute_weights > 0
    assert seen.sum() == len(SYNTHWORLD_ATTRIBUTES) - 3
    assert model.attribute_weights[seen].mean().item() == pytest.approx(1.0)
    assert model.category_weights.sum() == 14 - len(UNSEEN_THINGS)

    first = runner.test()
    assert {'attribute/mAP', 'attribute/mAP_unseen', 'attribute/category_top1'} <= set(first)
    assert 0 < first['attribute/mAP'] <= 100
    assert runner.test() == first  # fixed crop scale: evaluation is deterministic
    assert osp.isfile(osp.join(runner.work_dir, f'iter_{ITERS}.pth'))
    assert torch.isfinite(model.logit_scale)
