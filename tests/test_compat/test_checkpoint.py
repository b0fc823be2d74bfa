"""ovseg.compat.checkpoint: weights-only loading with the mmengine allow-list."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from ovseg.compat import (ALLOW_UNSAFE_ENV, CheckpointError, CheckpointNotFoundError,
                          NotACheckpointError, TruncatedCheckpointError,
                          UnsafeCheckpointError, load_model_weights,
                          optional_checkpoint_keys, safe_torch_load)
from ovseg.compat import CheckpointMismatchError


class _Exploit:
    """Unpickling this object would create a marker file (it must never run)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def _mmengine_style_checkpoint(path):
    buffer = HistoryBuffer()
    buffer.update(1.5)
    ckpt = dict(
        meta=dict(epoch=0, iter=20, seed=np.int64(0), mIoU=np.float32(30.2),
                  dtype=np.dtype('float32')),
        state_dict={'weight': torch.ones(2, 2)},
        message_hub=dict(log_scalars={'train/loss': buffer}, runtime_info={}, resumed_keys={}))
    torch.save(ckpt, path)
    return ckpt


def test_mmengine_checkpoint_loads_weights_only(tmp_path):
    path = tmp_path / 'iter_20.pth'
    _mmengine_style_checkpoint(path)
    # plain torch.load (weights_only default) refuses it: the reason for the allow-list
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    loaded = _load_checkpoint(str(path), map_location='cpu')  # through mmengine's loader
    assert loaded['meta']['iter'] == 20
    assert float(loaded['meta']['mIoU']) == pytest.approx(30.2, rel=1e-6)
    assert isinstance(loaded['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
    assert torch.equal(loaded['state_dict']['weight'], torch.ones(2, 2))


def test_unsafe_pickle_refused_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(ALLOW_UNSAFE_ENV, raising=False)
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _Exploit(str(marker))}, path)
    with pytest.raises(UnsafeCheckpointError, match=r'evil.pth: it needs io.open, which the weights-only'):
        safe_torch_load(str(path))
    with pytest.raises(UnsafeCheckpointError, match=ALLOW_UNSAFE_ENV):
        _load_checkpoint(str(path), map_location='cpu')
    assert not marker.exists()


def test_unsafe_loading_needs_explicit_opt_in(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    path = tmp_path / 'trusted.pth'
    torch.save({'payload': _Exploit(str(marker))}, path)
    monkeypatch.setenv(ALLOW_UNSAFE_ENV, '1')
    with pytest.warns(UserWarning, match='runs code stored in the file'):
        safe_torch_load(str(path))
    assert marker.exists()


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointNotFoundError, match='nope.pth does not exist'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))
    with pytest.raises(FileNotFoundError):  # still a FileNotFoundError for callers
        safe_torch_load(str(tmp_path / 'nope.pth'))


class _GetattrExploit:
    """Unpickles to ``np.zeros(1).tofile(marker)`` through ``getattr``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (np.zeros(1).tofile, (self.marker,))


def test_getattr_allowed_only_for_history_buffer(tmp_path, monkeypatch):
    monkeypatch.delenv(ALLOW_UNSAFE_ENV, raising=False)
    marker = tmp_path / 'written'
    path = tmp_path / 'getattr.pth'
    torch.save({'payload': _GetattrExploit(str(marker))}, path)
    with pytest.raises(UnsafeCheckpointError):
        safe_torch_load(str(path))
    assert not marker.exists()


def _bad_files(tmp_path):
    """(path, error type, message) for every kind of file that is not a loadable checkpoint."""
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(64, 64)}}, good)
    legacy = tmp_path / 'legacy.pth'
    torch.save({'state_dict': {'w': torch.ones(64, 64)}}, legacy,
               _use_new_zipfile_serialization=False)
    files = {'empty.pth': b'', 'notes.pth': b'lr = 0.1\nsteps: 100\n',
             'random.pth': np.random.default_rng(0).bytes(512),
             'image.pth': b'\x89PNG\r\n\x1a\n' + bytes(200),
             'cut.pth': good.read_bytes()[:len(good.read_bytes()) // 2],
             'cut_legacy.pth': legacy.read_bytes()[:len(legacy.read_bytes()) // 2]}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [('empty.pth', NotACheckpointError, 'it is an empty file'),
            ('notes.pth', NotACheckpointError, 'it is a text file'),
            ('random.pth', NotACheckpointError, 'neither a torch zip archive nor a pickle'),
            ('image.pth', NotACheckpointError, 'it is a PNG image'),
            ('cut.pth', TruncatedCheckpointError, 'truncated checkpoint'),
            ('cut_legacy.pth', TruncatedCheckpointError, 'truncated checkpoint'),
            ('missing.pth', CheckpointNotFoundError, 'does not exist')]


def test_each_kind_of_bad_file_is_named_without_the_opt_in(tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOW_UNSAFE_ENV, '1')  # the opt-in cannot make any of these load
    for name, error, message in _bad_files(tmp_path):
        with pytest.raises(error, match=message) as info:
            safe_torch_load(str(tmp_path / name))
        text = str(info.value)
        assert name in text and isinstance(info.value, CheckpointError)
        assert ALLOW_UNSAFE_ENV not in text and 'weights_only' not in text, text


class _SystemExploit:
    def __reduce__(self):
        return (os.system, ('true',))


def test_refused_global_is_named_and_only_it_suggests_the_opt_in(tmp_path, monkeypatch):
    monkeypatch.delenv(ALLOW_UNSAFE_ENV, raising=False)
    for legacy in (False, True):
        path = tmp_path / f'system_{legacy}.pth'
        torch.save({'x': _SystemExploit()}, path, _use_new_zipfile_serialization=not legacy)
        with pytest.raises(UnsafeCheckpointError) as info:
            safe_torch_load(str(path))
        assert info.value.refused == f'{os.name}.system'
        assert f'it needs {os.name}.system' in str(info.value)
        assert ALLOW_UNSAFE_ENV in str(info.value) and 'weights_only=False' not in str(info.value)


class _Head(torch.nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = torch.nn.Linear(4, width)
        self.norm = torch.nn.BatchNorm1d(width)


class _Net(torch.nn.Module):
    def __init__(self, width=8, extra=False):
        super().__init__()
        self.head = _Head(width)
        if extra:
            self.more = torch.nn.Linear(2, 2)


def test_load_model_weights_strict_names_each_kind(tmp_path):
    wide = _Net(width=16, extra=True)
    path = tmp_path / 'wide.pth'
    torch.save({'state_dict': {'module.' + k: v for k, v in wide.state_dict().items()},
                'meta': {'epoch': 1}}, path)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model_weights(_Net(width=8), str(path))
    message = str(info.value)
    assert message.startswith(f'{path} does not fit the model: ')
    assert '2 unexpected key(s): more.weight, more.bias' in message
    assert '6 shape-mismatched key(s): head.fc.weight (checkpoint [16, 4] vs model [8, 4])' \
        in message
    assert info.value.mismatched[0] == ('head.fc.weight', (16, 4), (8, 4))
    with pytest.raises(CheckpointMismatchError, match=r'2 missing key\(s\): more.weight, '
                       r'more.bias'):
        load_model_weights(_Net(width=16, extra=True), {'state_dict': _Net(16).state_dict()})


def test_load_model_weights_exact_and_non_strict(tmp_path):
    source, target = _Net(width=8), _Net(width=8)
    torch.nn.init.ones_(source.head.fc.weight)
    checkpoint = load_model_weights(target, {'model': source.state_dict(), 'meta': {'x': 1}})
    assert checkpoint['meta'] == {'x': 1}
    assert torch.equal(target.head.fc.weight, source.head.fc.weight)
    partial = _Net(width=8, extra=True)
    load_model_weights(partial, {'state_dict': source.state_dict()}, strict=False)  # logs
    assert torch.equal(partial.head.fc.weight, source.head.fc.weight)


class _Optional(torch.nn.Module):
    """A module whose ``cache`` buffer a checkpoint may lack or carry (declared optional)."""

    checkpoint_optional_keys = ('cache',)

    def __init__(self, size):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(2))
        self.register_buffer('cache', torch.zeros(size))


def test_declared_optional_keys_may_be_absent_or_differ():
    model = torch.nn.Sequential(_Optional(3))
    assert optional_checkpoint_keys(model) == ['0.cache']
    load_model_weights(model, {'0.weight': torch.full((2,), 2.0)})  # no cache: allowed
    assert torch.equal(model[0].weight, torch.full((2,), 2.0))
    load_model_weights(model, {'0.weight': torch.ones(2), '0.cache': torch.ones(5)})
    assert torch.equal(model[0].cache, torch.zeros(3))  # other shape: skipped, not copied
    with pytest.raises(CheckpointMismatchError, match='0.weight'):
        load_model_weights(model, {'0.cache': torch.ones(3)})  # only the declared key is free


def test_load_model_weights_drops_config_text(tmp_path):
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    model = _Net()
    checkpoint = add_config_text({'state_dict': model.state_dict()}, str(marker))
    torch.save(checkpoint, tmp_path / 'c.pth')
    loaded = load_model_weights(model, str(tmp_path / 'c.pth'))
    assert 'config' not in loaded['meta'] and 'cfg' not in loaded['meta']
    assert 'cfg' not in loaded['message_hub']['runtime_info'] and not marker.exists()


# --- the one reader: read_checkpoint / read_state_dict ----------------------------------------

def _save_layout(layout, state_dict, path):
    """``state_dict`` saved the way ``layout`` stores weights; returns the file."""
    from ovseg.testing import save_openai_torchscript
    if layout == 'torchscript':
        return save_openai_torchscript(state_dict, str(path))
    if layout == 'safetensors':  # recognised by its suffix
        from safetensors.torch import save_file
        path = path.with_suffix('.safetensors')
        save_file({k: v.contiguous() for k, v in state_dict.items()}, str(path))
        return str(path)
    wrapped = {
        'plain': state_dict,
        'ddp': {'module.' + k: v for k, v in state_dict.items()},
        'mmengine': dict(meta=dict(iter=2, seed=np.int64(0)), state_dict=state_dict,
                         message_hub=dict(log_scalars={}, runtime_info={}, resumed_keys={})),
        'detectron2': dict(model=state_dict, iteration=np.int64(9)),
        'mmseg-ddp': dict(state_dict={'module.' + k: v for k, v in state_dict.items()}),
        'nested': dict(model=dict(state_dict=state_dict)),
    }[layout]
    torch.save(wrapped, path)
    return str(path)


_LAYOUTS = ['plain', 'ddp', 'mmengine', 'detectron2', 'mmseg-ddp', 'nested', 'safetensors',
            'torchscript']


@pytest.mark.parametrize('layout', _LAYOUTS)
def test_read_state_dict_unwraps_each_layout(tmp_path, layout):
    from ovseg.compat import read_state_dict
    from ovseg.testing import build_tiny_clip
    expected = build_tiny_clip().state_dict()
    path = _save_layout(layout, expected, tmp_path / f'{layout}.pth')
    for source in (path, None):  # a file, or what read_checkpoint returned for it
        if source is None:
            from ovseg.compat import read_checkpoint
            source = read_checkpoint(path)
        got = read_state_dict(source)
        assert got.keys() == expected.keys()
        assert all(torch.equal(got[k], expected[k]) for k in expected)


def test_load_model_weights_reads_through_the_one_reader(tmp_path):
    """An OpenAI TorchScript archive loads into a model like any other checkpoint."""
    from ovseg.testing import build_tiny_clip
    source, target = build_tiny_clip(seed=1), build_tiny_clip(seed=2)
    path = _save_layout('torchscript', source.state_dict(), tmp_path / 'ViT.pt')
    load_model_weights(target, path)
    assert all(torch.equal(a, b) for a, b in zip(source.state_dict().values(),
                                                 target.state_dict().values()))


def test_read_state_dict_names_what_holds_no_weights(tmp_path):
    from ovseg.compat import read_state_dict
    path = tmp_path / 'meta_only.pth'
    torch.save(dict(meta=dict(iter=2), state_dict={}), path)
    with pytest.raises(NotACheckpointError, match='meta_only.pth holds no state dict of tensors'):
        read_state_dict(str(path))
    with pytest.raises(NotACheckpointError, match='^run.pth holds no'):
        read_state_dict({'model': 'not weights'}, name='run.pth')
    with pytest.raises(CheckpointNotFoundError, match='nowhere.pth does not exist'):
        read_state_dict(str(tmp_path / 'nowhere.pth'))
