"""ovseg/utils/weights.py: names resolve through the cache folder; a missing name says how to make it.

Every test runs with ``$OVSEG_CACHE`` set to a fresh temporary folder (the autouse
``weights_cache`` fixture of tests/conftest.py).
"""
import os.path as osp

import pytest
import torch

from ovseg.models.clip import create_clip
from ovseg.testing import TINY_VIT
from ovseg.utils import InputError
from ovseg.utils.weights import (CACHE_ENV, MissingWeightsError, cache_dir, list_weights,
                                 register_weights, resolve_weights, weights_entry, weights_path)


def test_cache_folder_follows_the_environment(weights_cache, monkeypatch):
    assert cache_dir() == weights_cache
    assert weights_path('synthworld-rn-s') == osp.join(weights_cache, 'synthworld-rn-s.pt')
    monkeypatch.delenv(CACHE_ENV)
    assert cache_dir() == osp.expanduser(osp.join('~', '.cache', 'ovseg'))


def test_every_name_has_a_producing_command():
    names = list_weights()
    assert {'synthworld-rn-s', 'synthworld-vit-s', 'synthworld-vit-s-regions'} <= set(names)
    assert weights_entry('synthworld-rn-s').command == 'make quickstart'
    for name in names:
        command = weights_entry(name).command
        assert command == 'make quickstart' or osp.isfile(command.split()[-1]), (name, command)


def test_missing_name_names_the_cache_and_the_command(weights_cache):
    with pytest.raises(MissingWeightsError) as err:
        resolve_weights('synthworld-rn-s')
    assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, InputError)
    assert str(err.value) == (f"weights 'synthworld-rn-s' are not in {weights_cache} (set "
                              f'{CACHE_ENV} to use another folder): run `make quickstart`')


def test_paths_and_other_strings_pass_through():
    for value in ('work_dirs/x/y.pt', 'openai', 'synthworld-rn-s.pt'):
        assert resolve_weights(value) == value


def test_registered_file_loads_by_name_as_by_path(tmp_path, tiny_vit_checkpoint):
    cached = register_weights('synthworld-vit-s', tiny_vit_checkpoint)
    assert resolve_weights('synthworld-vit-s') == cached == weights_path('synthworld-vit-s')
    by_name = create_clip(TINY_VIT, pretrained='synthworld-vit-s')
    by_path = create_clip(TINY_VIT, pretrained=tiny_vit_checkpoint)
    for (key, a), b in zip(by_name.state_dict().items(), by_path.state_dict().values()):
        assert torch.equal(a, b), key


def test_clip_loader_raises_the_missing_name_error():
    with pytest.raises(MissingWeightsError, match='run `python tools/train.py configs/synthworld/'
                                                  'synthclip_vit-s_synthworld-regions-96.py`'):
        create_clip(TINY_VIT, pretrained='synthworld-vit-s-regions')
