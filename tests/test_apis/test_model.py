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
