"""ovseg.compat.torchscript: the tensors of a ``torch.jit.save`` archive, read without its code."""
import pickle
import zipfile

import pytest
import torch
from torch import nn

from ovseg.compat.torchscript import is_torchscript_archive, read_torchscript_state_dict

pytestmark = pytest.mark.filterwarnings('ignore:.torch.jit:FutureWarning')


class _Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(3, 2)
        self.block = nn.Sequential(nn.Conv2d(2, 4, 1), nn.BatchNorm2d(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


def test_archive_tensors_equal_the_module_state_dict(tmp_path):
    module = _Tiny().eval()
    path = str(tmp_path / 'tiny.pt')
    torch.jit.save(torch.jit.script(module), path)
    state = read_torchscript_state_dict(path)
    expected = module.state_dict()
    assert state.keys() == expected.keys()
    assert all(torch.equal(state[k], expected[k]) for k in expected)


def test_only_torchscript_archives_are_recognised(tmp_path):
    scripted = str(tmp_path / 'scripted.pt')
    torch.jit.save(torch.jit.script(_Tiny()), scripted)
    plain = str(tmp_path / 'plain.pt')
    torch.save(_Tiny().state_dict(), plain)
    assert is_torchscript_archive(scripted)
    assert not is_torchscript_archive(plain)


def test_a_global_outside_the_allow_list_is_refused(tmp_path):
    path = str(tmp_path / 'evil.pt')
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('evil/data.pkl', pickle.dumps(print, protocol=2))
        archive.writestr('evil/constants.pkl', pickle.dumps((), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        read_torchscript_state_dict(path)
