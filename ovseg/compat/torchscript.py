"""Read the tensors of an OpenAI TorchScript CLIP archive without running its code.

OpenAI released CLIP as ``torch.jit`` archives (``RN50.pt``, ``ViT-B-16.pt``):
zip files holding ``code/`` (TorchScript source), ``data.pkl`` (the pickled
module tree) and ``data/<key>`` (raw storages). Loading one with ``torch.jit``
compiles and runs the code; this reader only unpickles ``data.pkl`` with an
allow-list that turns every ``__torch__.*`` class into an inert attribute holder and
resolves storages from the ``data/`` entries, giving the ``state_dict()`` open_clip
``openai.py`` gets from the loaded module. :func:`ovseg.compat.read_checkpoint` calls
it for every TorchScript archive.
"""
import collections
import pickle
import zipfile
from types import MappingProxyType
from typing import Any, Dict, Mapping

import torch

# Attributes OpenAI stored as tensors on the top module; they are not weights.
_NON_WEIGHT_KEYS = ('input_resolution', 'context_length', 'vocab_size')

_STORAGE_DTYPES = {
    'FloatStorage': torch.float32, 'HalfStorage': torch.float16,
    'BFloat16Storage': torch.bfloat16, 'DoubleStorage': torch.float64,
    'LongStorage': torch.int64, 'IntStorage': torch.int32,
    'ShortStorage': torch.int16, 'CharStorage': torch.int8,
    'ByteStorage': torch.uint8, 'BoolStorage': torch.bool,
}

# Data-only list builders TorchScript uses for typed list attributes.
_JIT_LIST_BUILDERS = ('build_intlist', 'build_floatlist', 'build_doublelist',
                      'build_boollist', 'build_tensorlist', 'restore_type_tag')


class _ScriptObject:
    """Inert stand-in for a pickled ``__torch__.*`` module: keeps its attributes."""

    attributes: Mapping[str, Any] = MappingProxyType({})

    def __setstate__(self, state: Any) -> None:
        self.attributes = state if isinstance(state, dict) else {}


def _rebuild_tensor(storage: torch.Tensor, offset: int, size: tuple,
                    stride: tuple, *unused: Any) -> torch.Tensor:
    """Replacement for ``torch._utils._rebuild_tensor_v2``: a strided view."""
    return storage.as_strided(size, stride, offset)


def _first_argument(value: Any, *unused: Any) -> Any:
    return value


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler for ``data.pkl`` that resolves only data-carrying globals."""

    def __init__(self, file: Any, archive: zipfile.ZipFile, root: str) -> None:
        super().__init__(file)
        self._archive = archive
        self._root = root
        self._storages: Dict[str, torch.Tensor] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith('__torch__'):
            return _ScriptObject
        if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
            return _rebuild_tensor
        if (module, name) == ('collections', 'OrderedDict'):
            return collections.OrderedDict
        if module == 'torch' and name in _STORAGE_DTYPES:
            return _STORAGE_DTYPES[name]
        if module == 'torch.jit._pickle' and name in _JIT_LIST_BUILDERS:
            return _first_argument
        raise pickle.UnpicklingError(f'global {module}.{name} is not allowed')

    def persistent_load(self, pid: Any) -> torch.Tensor:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == 'storage'
                and isinstance(pid[1], torch.dtype)):
            raise pickle.UnpicklingError(f'unsupported persistent id {pid!r}')
        _, dtype, key, _location, _numel = pid
        if key not in self._storages:
            raw = bytearray(self._archive.read(f'{self._root}data/{key}'))
            self._storages[key] = (torch.frombuffer(raw, dtype=dtype)
                                   if raw else torch.empty(0, dtype=dtype))
        return self._storages[key]


def is_torchscript_archive(path: str) -> bool:
    """Whether ``path`` is a TorchScript (``torch.jit.save``) zip archive."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith('/constants.pkl') or '/code/' in name
                   for name in archive.namelist())


def _collect_tensors(obj: _ScriptObject, prefix: str,
                     out: Dict[str, torch.Tensor]) -> None:
    for name, value in obj.attributes.items():
        if isinstance(value, torch.Tensor):
            out[prefix + name] = value
        elif isinstance(value, _ScriptObject):
            _collect_tensors(value, f'{prefix}{name}.', out)


def read_torchscript_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Parameters and buffers of a TorchScript archive, with dotted names.

    Args:
        path (str): a ``torch.jit.save`` archive, e.g. OpenAI's ``RN50.pt``.

    Returns:
        dict[str, Tensor]: e.g. ``visual.conv1.weight``, ``token_embedding.weight``;
        dtypes as stored (OpenAI archives are mostly float16).

    Raises:
        pickle.UnpicklingError: ``data.pkl`` names a global outside the
            allow-list, i.e. reading it would need code execution.
    """
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist()
                   if n.endswith('data.pkl') and n.count('/') == 1]
        if not pickles:
            raise pickle.UnpicklingError('no <root>/data.pkl entry')
        root = pickles[0][:-len('data.pkl')]
        with archive.open(pickles[0]) as file:
            tree = _RestrictedUnpickler(file, archive, root).load()
    if not isinstance(tree, _ScriptObject):
        raise pickle.UnpicklingError('data.pkl does not hold a module')
    state_dict: Dict[str, torch.Tensor] = {}
    _collect_tensors(tree, '', state_dict)
    for key in _NON_WEIGHT_KEYS:
        state_dict.pop(key, None)
    return state_dict
