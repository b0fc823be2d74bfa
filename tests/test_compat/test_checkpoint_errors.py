"""ovseg.compat.checkpoint_errors: what a failed weights-only ``torch.load`` was given."""
import pytest
import torch

from ovseg.compat.checkpoint_errors import (CheckpointNotFoundError, NotACheckpointError,
                                            TruncatedCheckpointError, UnsafeCheckpointError,
                                            describe_load_failure)


class _Custom:
    """A class the weights-only unpickler does not allow."""


def _describe(path: str):
    with pytest.raises(Exception) as info:
        torch.load(path, weights_only=True)
    return describe_load_failure(path, info.value)


def test_each_unreadable_file_gets_its_own_error(tmp_path):
    missing = str(tmp_path / 'missing.pth')
    assert isinstance(describe_load_failure(missing, FileNotFoundError())[0],
                      CheckpointNotFoundError)
    (tmp_path / 'empty.pth').write_bytes(b'')
    error, refused = _describe(str(tmp_path / 'empty.pth'))
    assert isinstance(error, NotACheckpointError) and 'empty file' in str(error) and not refused
    (tmp_path / 'image.pth').write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(64))
    error, _ = _describe(str(tmp_path / 'image.pth'))
    assert isinstance(error, NotACheckpointError) and 'a PNG image' in str(error)


def test_a_cut_off_checkpoint_is_truncated(tmp_path):
    whole = tmp_path / 'whole.pth'
    torch.save({'w': torch.zeros(1000)}, whole)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(whole.read_bytes()[:2000])
    error, refused = _describe(str(cut))
    assert isinstance(error, TruncatedCheckpointError) and 'cut.pth' in str(error)
    assert refused is None


def test_a_refused_global_is_named_and_only_then_opt_in_is_offered(tmp_path):
    path = tmp_path / 'custom.pth'
    torch.save({'obj': _Custom()}, path)
    error, refused = _describe(str(path))
    assert isinstance(error, UnsafeCheckpointError) and refused and '_Custom' in refused
    assert error.refused == refused and 'OVSEG_ALLOW_UNSAFE_CHECKPOINTS=1' in str(error)
