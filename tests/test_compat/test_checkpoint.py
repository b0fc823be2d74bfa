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
                          UnsafeCheckpointError, safe_torch_load)


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
