"""ovseg.compat.checkpoint: a file that is no (complete) checkpoint is a CheckpointError naming it.

Kept apart from test_checkpoint.py (the refusal of code in checkpoints) so both can grow.
"""
import pytest
import torch

from ovseg.compat import CheckpointError, UnsafeCheckpointError, safe_torch_load


@pytest.mark.parametrize('case', ['empty', 'text', 'truncated'])
def test_not_a_checkpoint(tmp_path, case):
    path = tmp_path / f'{case}.pth'
    if case == 'empty':
        path.write_bytes(b'')
    elif case == 'text':
        path.write_text('hello\n')
    else:
        torch.save(dict(state_dict={'w': torch.ones(64, 64)}), path)
        path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(CheckpointError, match=f'{path} is not a PyTorch checkpoint'):
        safe_torch_load(str(path))


def test_unsafe_checkpoint_error_is_a_checkpoint_error():
    assert issubclass(UnsafeCheckpointError, CheckpointError)
    assert issubclass(CheckpointError, RuntimeError)
