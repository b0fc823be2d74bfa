"""ovseg/apis/zoo.py: every entry names an existing config; names resolve or fail clearly."""
import os.path as osp

import pytest

from ovseg.apis import list_models
from ovseg.apis.zoo import REPO_ROOT, UnknownModelError, add_model, get_model, resolve_model
from ovseg.utils.errors import InputError
from ovseg.utils.weights import MissingWeightsError, is_weights_name, weights_entry


def test_entries_name_existing_configs_and_a_command():
    models = list_models()
    assert {'synthworld-denseclip-rn-s', 'denseclip-r50-ade20k',
            'synthworld-ovseg-pmp-r18-vit-s'} <= {m.name for m in models}
    for info in models:
        assert osp.isfile(osp.join(REPO_ROOT, info.config)), info
        assert info.command and info.description and info.task in ('semantic', 'detection',
                                                                   'instance', 'attribute')
    assert [m.name for m in list_models('instance')] == ['synthworld-denseclip-mask-rcnn-vit-s']
    assert 'tools/convert/denseclip.py' in get_model('denseclip-r50-ade20k').command


def test_resolution(tmp_path):
    config, weights = resolve_model('synthworld-ovseg-pmp-r18-vit-s')
    assert osp.isfile(config) and weights is None  # init_weights: the config names them
    with pytest.raises(InputError, match=r"weights 'synthworld-denseclip-rn-s' are not in .*"
                                         r': run `python tools/train.py'):
        resolve_model('synthworld-denseclip-rn-s')
    ckpt = tmp_path / 'w.pth'
    ckpt.write_bytes(b'')
    assert resolve_model('synthworld-denseclip-rn-s', str(ckpt))[1] == str(ckpt)
    with pytest.raises(MissingWeightsError, match='synthworld-rn-s'):
        resolve_model('synthworld-denseclip-rn-s', 'synthworld-rn-s')
    with pytest.raises(UnknownModelError, match=r"unknown model 'x'.*'synthworld-pmp-r18'"):
        resolve_model('x')


def test_adding_an_entry_is_one_call(monkeypatch):
    from ovseg.apis import zoo
    monkeypatch.setattr(zoo, '_ZOO', dict(zoo._ZOO))
    add_model('mine', task='semantic', config='configs/x.py', weights=None, description='d',
              command='c')
    assert get_model('mine').config == 'configs/x.py'
    with pytest.raises(KeyError, match='already'):
        add_model('mine', task='semantic', config='c', weights=None, description='', command='')


def test_trained_synthworld_heads_are_weights_names_with_the_zoo_command():
    heads = [m for m in list_models() if m.name.startswith('synthworld-')
             and m.weights is not None]
    assert {m.name for m in heads} == {
        'synthworld-denseclip-rn-s', 'synthworld-denseclip-vit-s', 'synthworld-pmp-r18',
        'synthworld-mask2former-ov-r18', 'synthworld-denseclip-retinanet-vit-s',
        'synthworld-denseclip-mask-rcnn-vit-s', 'synthworld-quickstart-denseclip-rn-s',
        'synthworld-clip-attr-rn-s'}
    for info in heads:
        assert is_weights_name(info.weights), info
        # the command that publishes the name trains the entry's own config
        assert weights_entry(info.weights).command == info.command
        assert info.command in ('make quickstart', f'python tools/train.py {info.config}')
        with pytest.raises(MissingWeightsError) as err:
            resolve_model(info.name)
        assert '\n' not in str(err.value) and str(err.value).endswith(f'run `{info.command}`')


def test_attribute_models_and_task_of_a_config():
    from ovseg.apis.zoo import model_task
    assert {m.name for m in list_models('attribute')} == {'synthworld-clip-attr-rn-s',
                                                          'synthworld-clip-zero-shot-rn-s'}
    assert model_task('synthworld-clip-attr-rn-s') == 'attribute'
    assert model_task(osp.join(REPO_ROOT, get_model('synthworld-clip-zero-shot-rn-s').config)) \
        == 'attribute'
    assert model_task(osp.join(REPO_ROOT, get_model('synthworld-denseclip-rn-s').config)) \
        == 'semantic'
    with pytest.raises(UnknownModelError):
        model_task('nope')
