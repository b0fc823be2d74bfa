"""ovseg.compat.checkpoint: weights-only loading with the mmengine allow-list."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from ovseg.compat import ALLOW_UNSAFE_ENV, UnsafeCheckpointError, safe_torch_load


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
    with pytest.raises(UnsafeCheckpointError, match=r'evil.pth.*GLOBAL io.open was not an allowed global'):
        safe_torch_load(str(path))
    with pytest.raises(UnsafeCheckpointError, match=ALLOW_UNSAFE_ENV):
        _load_checkpoint(str(path), map_location='cpu')
    assert not marker.exists()


def test_unsafe_loading_needs_explicit_opt_in(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    path = tmp_path / 'trusted.pth'
    torch.save({'payload': _Exploit(str(marker))}, path)
    monkeypatch.setenv(ALLOW_UNSAFE_ENV, '1')
    with pytest.warns(UserWarning, match='weights_only=False'):
        safe_torch_load(str(path))
    assert marker.exists()


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


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
