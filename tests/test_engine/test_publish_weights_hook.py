"""ovseg/engine/publish_weights_hook.py: a training run publishes its weights under a name that
``OVSegInferencer(zoo name)`` loads."""
import os.path as osp

import pytest
import torch

from ovseg.engine import PublishWeightsHook
from ovseg.utils.weights import MissingWeightsError, resolve_weights, weights_path

NAME = 'synthworld-denseclip-rn-s'  # a zoo model whose weights are this weights name


def test_unknown_name_fails_before_training():
    with pytest.raises(KeyError, match="unknown weights name 'synthworld-nope'"):
        PublishWeightsHook(name='synthworld-nope')
    assert PublishWeightsHook(name=NAME).filename == f'{NAME}.pt'
    assert PublishWeightsHook().filename == 'weights.pt'


def test_two_iterations_publish_weights_that_the_zoo_name_loads(synthworld_64, tmp_path):
    from mmengine.runner import Runner

    from ovseg.apis import OVSegInferencer, get_model, load_config
    with pytest.raises(MissingWeightsError, match=r'run `python tools/train.py configs/'):
        resolve_weights(NAME)
    # the zoo entry's own config (its PublishWeightsHook included), on a tiny world, 2 iterations
    cfg = load_config(osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))),
                               get_model(NAME).config), work_dir=str(tmp_path / 'work'))
    assert dict(type='PublishWeightsHook', name=NAME) in cfg.custom_hooks
    cfg.model.backbone.pretrained = cfg.model.text_encoder.pretrained = None
    cfg.train_cfg.update(max_iters=2, val_interval=100)
    cfg.param_scheduler = []
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = synthworld_64
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.interval = 100  # the published file is the only output
    runner = Runner.from_cfg(cfg)
    runner.train()

    published = torch.load(weights_path(NAME), weights_only=True)
    assert set(published) == {'state_dict', 'meta'}  # no optimizer, no config text
    assert osp.isfile(tmp_path / 'work' / f'{NAME}.pt')
    inferencer = OVSegInferencer(NAME, show_progress=False)
    loaded, trained = inferencer.model.state_dict(), runner.model.state_dict()
    assert loaded.keys() == trained.keys()
    assert all(torch.equal(loaded[k], trained[k]) for k in trained)
    assert inferencer.model.dataset_meta['classes'] == runner.train_dataloader.dataset.metainfo[
        'classes']
