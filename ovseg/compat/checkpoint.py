"""Weights-only checkpoint loading for everything ovseg reads.

torch >= 2.6 defaults ``torch.load`` to ``weights_only=True``; mmengine 0.10.7
calls it without the argument, so resuming an mmengine checkpoint fails on the
message-hub history buffers and numpy scalars it legitimately holds. Instead of
turning the safety off, we allow-list exactly those types (only while loading,
through ``torch.serialization.safe_globals``) and register the loader for local
files and URLs in mmengine's ``CheckpointLoader``. Anything else that needs code
execution to unpickle is refused with :class:`UnsafeCheckpointError`, unless the
user opts in explicitly with ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS=1`` (or
``allow_unsafe=True``) for a file they trust.
"""
import os
import os.path as osp
import pickle
import warnings
from typing import Any, Callable, List, Optional

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

ALLOW_UNSAFE_ENV = 'OVSEG_ALLOW_UNSAFE_CHECKPOINTS'


class CheckpointError(RuntimeError):
    """A file that cannot be loaded as a checkpoint; the message names the file."""


class UnsafeCheckpointError(CheckpointError):
    """Raised when a checkpoint needs arbitrary code execution to load."""


def _numpy_dtype_classes() -> List[type]:
    """All concrete numpy dtype classes (``numpy.dtypes.Float64DType``...)."""
    return [cls for cls in vars(np.dtypes).values()
            if isinstance(cls, type) and issubclass(cls, np.dtype)]


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` limited to the public methods of ``HistoryBuffer``.

    A pickled ``HistoryBuffer`` stores its statistics methods as
    ``getattr(HistoryBuffer, 'mean')`` etc. A general ``getattr`` would let a
    file reach any attribute (e.g. ``ndarray.tofile``), so only these resolve.
    """
    attr = getattr(obj, name, None) if obj is HistoryBuffer and not name.startswith('_') else None
    if callable(attr) and getattr(attr, '__qualname__', '').startswith('HistoryBuffer.'):
        return attr
    raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


def checkpoint_safe_globals() -> List[Any]:
    """The globals an mmengine/ovseg checkpoint may legitimately contain.

    - ``HistoryBuffer`` and its statistics methods: the message hub's logged
      scalars (``message_hub.log_scalars``).
    - numpy scalars, arrays and dtypes: metric values and ``meta`` entries.
    """
    from numpy._core.multiarray import _reconstruct, scalar
    return [HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr'),
            scalar, _reconstruct, np.ndarray, np.dtype, *_numpy_dtype_classes()]


def unsafe_loading_allowed() -> bool:
    """Whether the user opted in to loading checkpoints that run code."""
    return os.environ.get(ALLOW_UNSAFE_ENV, '') == '1'


def _unpickler_reason(err: Exception) -> str:
    """The line of torch's weights-only error that names the refused global."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if 'WeightsUnpickler error' in line:
            reason = line.split('WeightsUnpickler error:', 1)[1].strip()
            reason = reason or (lines[i + 1] if i + 1 < len(lines) else line)
            return reason.split('. Please use', 1)[0]
    return lines[0] if lines else type(err).__name__


def _is_not_a_checkpoint(err: Exception) -> bool:
    """Whether ``torch.load`` failed because the file is no (complete) checkpoint.

    Empty file: ``EOFError``; text and other non-pickle bytes read by the legacy loader: a
    ``KeyError`` on an unknown memo key; a cut zip archive: ``RuntimeError`` from
    ``PytorchStreamReader``.
    """
    if isinstance(err, RuntimeError):
        return 'PytorchStreamReader' in str(err) or 'magic number' in str(err)
    return True


def safe_torch_load(file: Any, map_location: Any = 'cpu', *,
                    allow_unsafe: Optional[bool] = None) -> Any:
    """``torch.load`` with ``weights_only=True`` plus the mmengine allow-list.

    Args:
        file (str | file-like): checkpoint path or buffer.
        map_location (Any): as in :func:`torch.load`. Defaults to ``'cpu'``.
        allow_unsafe (bool, optional): fall back to a full unpickle when the
            file needs code execution. Defaults to the
            ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS`` environment variable.

    Raises:
        CheckpointError: the file is not a checkpoint (empty, text, truncated archive).
        UnsafeCheckpointError: the file needs code execution and unsafe
            loading was not allowed. Nothing from the file has run.
    """
    name = file if isinstance(file, (str, os.PathLike)) else getattr(file, 'name', '<buffer>')
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(file, map_location=map_location, weights_only=True)
    except (EOFError, KeyError, RuntimeError) as err:
        if _is_not_a_checkpoint(err):
            raise CheckpointError(f'{name!s} is not a PyTorch checkpoint (the file is empty, '
                                  f'truncated or of another kind).') from None
        raise
    except pickle.UnpicklingError as err:
        if allow_unsafe is None:
            allow_unsafe = unsafe_loading_allowed()
        if not allow_unsafe:
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {name!s}: it contains objects that '
                f'need arbitrary code execution to unpickle ({_unpickler_reason(err)}). '
                f'If you trust this file, set {ALLOW_UNSAFE_ENV}=1 (or pass '
                f'--allow-unsafe-checkpoint to the ovseg tools).') from None
        warnings.warn(f'Loading {name!s} with weights_only=False because '
                      f'{ALLOW_UNSAFE_ENV}=1: this runs code stored in the file.')
        if hasattr(file, 'seek'):
            file.seek(0)
        return torch.load(file, map_location=map_location, weights_only=False)


def _load_from_local(filename: str, map_location: Any) -> Any:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint file {filename} can not be found.')
    return safe_torch_load(filename, map_location)


def _load_from_http(filename: str, map_location: Any = None,
                    model_dir: Optional[str] = None,
                    progress: bool = True) -> Any:
    from torch.hub import download_url_to_file, get_dir
    model_dir = model_dir or osp.join(get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(filename.split('?')[0]))
    if not osp.isfile(cached):
        try:
            download_url_to_file(filename, cached, progress=progress)
        except OSError as err:
            raise RuntimeError(
                f'Could not download checkpoint {filename} ({err}). If this machine '
                f'is offline, download it elsewhere and pass the local file path '
                f'instead of the URL.') from err
    return safe_torch_load(cached, map_location)


def register_safe_checkpoint_loaders(register: Callable = CheckpointLoader.register_scheme) -> None:
    """Route mmengine's local and http(s) checkpoint loading through :func:`safe_torch_load`."""
    register(prefixes='', loader=_load_from_local, force=True)
    register(prefixes=('http://', 'https://'), loader=_load_from_http, force=True)
