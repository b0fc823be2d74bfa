"""ovseg.apis.model: init_segmentor loads a checkpoint strictly and takes its class names."""
import pytest
import torch
from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from mmengine.config import Config

from ovseg.apis import init_segmentor
from ovseg.compat import CheckpointMismatchError


@pytest.fixture
def config():
    return Config(dict(model=tiny_seg_cfg('rn'), default_scope='mmseg'))


def test_weights_and_old_style_class_names_come_from_the_checkpoint(tmp_path, config):
    trained = build_seg('rn', seed=3)
    torch.save(dict(state_dict=trained.state_dict(),
                    meta=dict(CLASSES=VOCAB, PALETTE=[[1, 2, 3]] * len(VOCAB))),
               tmp_path / 'old.pth')
    model = init_segmentor(config, str(tmp_path / 'old.pth'))
    assert not model.training
    assert model.dataset_meta == dict(classes=VOCAB, palette=[[1, 2, 3]] * len(VOCAB))
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in trained.state_dict().items())


def test_without_a_checkpoint_no_dataset_is_guessed(config):
    model = init_segmentor(config, None)
    assert getattr(model, 'dataset_meta', None) is None


def test_a_checkpoint_of_another_model_is_refused(tmp_path, config):
    state = build_seg('rn').state_dict()
    state.pop(next(k for k in state if k.startswith('decode_head.')))
    torch.save(dict(state_dict=state), tmp_path / 'partial.pth')
    with pytest.raises(CheckpointMismatchError, match='partial.pth'):
        init_segmentor(config, str(tmp_path / 'partial.pth'))


def test_load_weights_or_init_can_leave_dataset_meta_alone(tmp_path, config):
    """The shared tail of init_segmentor / load_retriever_model: with ``dataset_meta=False``
    the config's test dataset is never built (a retriever's need not exist where it runs)."""
    from mmseg.registry import MODELS

    from ovseg.apis import load_weights_or_init
    config.test_dataloader = dict(dataset=dict(type='NoSuchDatasetHere'))
    built = MODELS.build(config.model)
    built.cfg = config
    with pytest.raises(KeyError, match='NoSuchDatasetHere'):
        load_weights_or_init(built, None)
    model = load_weights_or_init(built, None, dataset_meta=False)
    assert not model.training and getattr(model, 'dataset_meta', None) is None
    trained = build_seg('rn', seed=3)
    torch.save(dict(state_dict=trained.state_dict(), meta=dict(dataset_meta=dict(classes=VOCAB))),
               tmp_path / 'w.pth')
    model = load_weights_or_init(MODELS.build(config.model), str(tmp_path / 'w.pth'),
                                 dataset_meta=False)
    assert getattr(model, 'dataset_meta', None) is None
    assert torch.equal(model.state_dict()['decode_head.conv_seg.weight'],
                       trained.state_dict()['decode_head.conv_seg.weight'])
