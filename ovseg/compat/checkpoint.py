"""Weights-only checkpoint loading for everything ovseg reads.

torch >= 2.6 defaults ``torch.load`` to ``weights_only=True``; mmengine 0.10.7
calls it without the argument, so resuming an mmengine checkpoint fails on the
message-hub history buffers and numpy scalars it legitimately holds. Instead of
turning the safety off, we allow-list exactly those types (only while loading,
through ``torch.serialization.safe_globals``) and register the loader for local
files and URLs in mmengine's ``CheckpointLoader``. Anything else that needs code
execution to unpickle is refused with :class:`UnsafeCheckpointError`, unless the
user opts in explicitly with ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS=1`` (or
``allow_unsafe=True``) for a file they trust. Files that are no checkpoint at all
(missing, empty, text, images, truncated) raise the other
:class:`~.checkpoint_errors.CheckpointError` types, never with the opt-in advice.

:func:`load_model_weights` is the one function that puts checkpoint weights into
a model: strict by default (missing, unexpected and shape-mismatched keys are an
error naming them), except for the keys the model's modules declare optional. It and every
other reader of weights (CLIP, SAM, OVSeg, ``tools/convert``) go through :func:`read_checkpoint`
(one file reader) and :func:`read_state_dict` (one unwrapping rule).
"""
import fnmatch
import os
import os.path as osp
import pickle
import re
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from .checkpoint_errors import (ALLOW_UNSAFE_ENV, CheckpointError, CheckpointNotFoundError,
                                NotACheckpointError, UnsafeCheckpointError,
                                describe_load_failure)

__all__ = ['ALLOW_UNSAFE_ENV', 'CheckpointError', 'CheckpointMismatchError',
           'UnsafeCheckpointError', 'drop_config_text', 'load_model_weights',
           'optional_checkpoint_keys', 'read_checkpoint', 'read_state_dict', 'safe_torch_load']


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


def safe_torch_load(file: Any, map_location: Any = 'cpu', *,
                    allow_unsafe: Optional[bool] = None) -> Any:
    """``torch.load`` with ``weights_only=True`` plus the mmengine allow-list.

    Args:
        file (str | file-like): checkpoint path or buffer.
        map_location (Any): as in :func:`torch.load`. Defaults to ``'cpu'``.
        allow_unsafe (bool, optional): fall back to a full unpickle when the
            only problem is a refused global. Defaults to the
            ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS`` environment variable.

    Raises:
        CheckpointNotFoundError: ``file`` does not exist.
        NotACheckpointError: empty, text, image or other non-checkpoint bytes.
        TruncatedCheckpointError: a checkpoint cut short.
        UnsafeCheckpointError: the file needs a refused global (named in the
            message) and unsafe loading was not allowed. Nothing from the file
            has run.
    """
    if isinstance(file, (str, os.PathLike)) and not osp.isfile(file):
        raise CheckpointNotFoundError(f'Checkpoint file {os.fspath(file)} does not exist.')
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(file, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, OSError, EOFError, KeyError, ValueError,
            IndexError, TypeError, AttributeError, UnicodeDecodeError) as err:
        # what torch raises for a file that is not a (whole) checkpoint varies with the
        # bytes; describe_load_failure looks at the file and names what it is instead
        error, refused = describe_load_failure(file, err)
        if refused is None:
            raise error from None
        if allow_unsafe is None:
            allow_unsafe = unsafe_loading_allowed()
        if not allow_unsafe:
            raise error from None
    name = file if isinstance(file, (str, os.PathLike)) else getattr(file, 'name', '<buffer>')
    warnings.warn(f'Loading {name!s} with a full unpickle because {ALLOW_UNSAFE_ENV}=1 '
                  f'(it needs {refused}): this runs code stored in the file.')
    if hasattr(file, 'seek'):
        file.seek(0)
    return torch.load(file, map_location=map_location, weights_only=False)


def _load_from_local(filename: str, map_location: Any) -> Any:
    filename = osp.expanduser(filename)
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


# --- the one checkpoint reader ----------------------------------------------------------

#: entries that wrap the weights: mmengine / mmseg ``state_dict``, detectron2 ``model``
STATE_DICT_WRAPPERS = ('state_dict', 'model')


def read_checkpoint(path: Union[str, os.PathLike], map_location: Any = 'cpu') -> Any:
    """Read a checkpoint file without executing code stored in it.

    - ``.safetensors``: :func:`safetensors.torch.load_file`;
    - a TorchScript archive (OpenAI's CLIP ``.pt``): its tensors only
      (:func:`~.torchscript.read_torchscript_state_dict`), the archive's code never runs;
    - anything else, local or a URL: mmengine's ``CheckpointLoader``, whose local and
      http(s) schemes are :func:`safe_torch_load` (``weights_only=True``).

    Returns:
        Any: what the file holds (a state dict or a dict wrapping one; see
        :func:`read_state_dict`).

    Raises:
        CheckpointError: missing, not a checkpoint, truncated, or needs code execution.
    """
    from .torchscript import is_torchscript_archive, read_torchscript_state_dict
    path = osp.expanduser(os.fspath(path))
    is_local = '://' not in path
    if is_local and not osp.isfile(path):
        raise CheckpointNotFoundError(f'Checkpoint file {path} does not exist.')
    if is_local and path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(path, device='cpu')
    if is_local and is_torchscript_archive(path):
        try:
            return read_torchscript_state_dict(path)
        except (pickle.UnpicklingError, KeyError) as err:
            raise UnsafeCheckpointError(
                f'Refused to load TorchScript archive {path}: reading it would need code '
                f'execution ({err}). Only the tensors of OpenAI-style archives are read; '
                f'convert other archives to a state dict first.') from None
    return CheckpointLoader.load_checkpoint(path, map_location=map_location)


def read_state_dict(checkpoint: Union[str, os.PathLike, Dict[str, Any]], *,
                    name: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint, unwrapped, with a leading ``module.`` stripped.

    Unwraps ``state_dict`` (mmengine, mmseg) and ``model`` (detectron2, e.g. OVSeg's releases)
    entries, repeatedly; a DDP ``module.`` prefix is removed from every key; non-tensor values
    are dropped. Keys are not otherwise renamed: see :mod:`.converters` for other layouts.

    Args:
        checkpoint (str | dict): a file (read by :func:`read_checkpoint`) or a loaded checkpoint.
        name (str, optional): how errors call the checkpoint. Defaults to the path
            (``'checkpoint'`` for a dict).

    Returns:
        dict[str, Tensor]: the weights, dtypes as stored.

    Raises:
        NotACheckpointError: no state dict of tensors inside.
        CheckpointError: the file cannot be read (see :func:`read_checkpoint`).
    """
    if isinstance(checkpoint, (str, os.PathLike)):
        name = name or os.fspath(checkpoint)
        checkpoint = read_checkpoint(checkpoint)
    name = name or 'checkpoint'
    while isinstance(checkpoint, dict):
        inner = next((checkpoint[k] for k in STATE_DICT_WRAPPERS
                      if isinstance(checkpoint.get(k), dict)), None)
        if inner is None:
            break
        checkpoint = inner
    if not isinstance(checkpoint, dict) or not any(
            isinstance(v, torch.Tensor) for v in checkpoint.values()):
        raise NotACheckpointError(f'{name} holds no state dict of tensors (looked for a '
                                  f"'state_dict' or 'model' entry, or tensors at the top level).")
    return {(k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in checkpoint.items() if isinstance(v, torch.Tensor)}


# --- config text stored in checkpoints ------------------------------------------------------

#: where mmengine / mmcv checkpoints keep the training config as Python source
CONFIG_TEXT_KEYS = (('meta', 'config'), ('meta', 'cfg'), ('message_hub', 'runtime_info', 'cfg'))


def drop_config_text(checkpoint: Any) -> Dict[str, str]:
    """Remove the config source texts from ``checkpoint`` (in place) and return them.

    mmengine's ``Runner.resume`` executes ``meta['config']`` with ``Config.fromstring`` and its
    inferencers execute ``meta['cfg']`` / ``message_hub.runtime_info.cfg``. With the texts gone no
    mmengine code path can run them; read values from them with
    :func:`ovseg.compat.config_text.read_config_value` (parsing only).

    Returns:
        dict[str, str]: dotted location (``'meta.config'``...) -> text, for those present.
    """
    texts = {}
    for path in CONFIG_TEXT_KEYS:
        node = checkpoint
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and path[-1] in node:
            texts['.'.join(path)] = node.pop(path[-1])
    return texts


# --- weights into a model -------------------------------------------------------------------

class CheckpointMismatchError(CheckpointError):
    """The checkpoint's weights do not fit the model (a checkpoint of another config?).

    Attributes:
        missing, unexpected (list[str]): keys only in the model / only in the checkpoint.
        mismatched (list[tuple[str, tuple, tuple]]): key, checkpoint shape, model shape.
    """

    def __init__(self, message: str, *, missing: Sequence[str] = (),
                 unexpected: Sequence[str] = (),
                 mismatched: Sequence[Tuple[str, tuple, tuple]] = ()) -> None:
        super().__init__(message)
        self.missing, self.unexpected = list(missing), list(unexpected)
        self.mismatched = list(mismatched)


def optional_checkpoint_keys(model: nn.Module) -> List[str]:
    """Key patterns (:mod:`fnmatch`) a checkpoint of ``model`` may lack or hold extra.

    Every module class may declare ``checkpoint_optional_keys``: patterns relative to the module,
    each with the reason in the owning class's docstring/comment. Returned with the module's
    prefix in ``model``.
    """
    patterns = []
    for prefix, module in model.named_modules():
        for pattern in getattr(type(module), 'checkpoint_optional_keys', ()):
            patterns.append(f'{prefix}.{pattern}' if prefix else pattern)
    return patterns


def _listed(keys: Sequence[Any], limit: int = 5) -> str:
    shown = ', '.join(str(k) for k in keys[:limit])
    return shown + (f', ... ({len(keys) - limit} more)' if len(keys) > limit else '')


def _mismatch_report(name: str, missing: List[str], unexpected: List[str],
                     mismatched: List[Tuple[str, tuple, tuple]], model_desc: str) -> str:
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing key(s): {_listed(missing)}')
    if unexpected:
        parts.append(f'{len(unexpected)} unexpected key(s): {_listed(unexpected)}')
    if mismatched:
        shapes = [f'{k} (checkpoint {list(c)} vs model {list(m)})' for k, c, m in mismatched]
        parts.append(f'{len(mismatched)} shape-mismatched key(s): {_listed(shapes)}')
    return f'{name} does not fit {model_desc}: ' + '; '.join(parts)


def load_model_weights(model: nn.Module, checkpoint: Union[str, os.PathLike, Dict[str, Any]], *,
                       strict: bool = True, map_location: Any = 'cpu',
                       revise_keys: Sequence[Tuple[str, str]] = ((r'^module\.', ''),),
                       logger: Any = 'current', name: Optional[str] = None,
                       model_desc: str = 'the model') -> Dict[str, Any]:
    """Load a checkpoint's weights into ``model``, by default strictly.

    Reads a path with :func:`read_checkpoint` and its weights with :func:`read_state_dict`
    (unwraps ``state_dict`` / ``model``, strips ``module.``); compares keys and shapes with ``model.state_dict()``. Keys matching
    :func:`optional_checkpoint_keys` of the model are exempt.

    Args:
        model (nn.Module): the model (not a DDP wrapper).
        checkpoint (str | dict): path/URL, or an already loaded checkpoint dict.
        strict (bool): raise on missing, unexpected or shape-mismatched keys. When False,
            the fitting weights load and the report is logged. Defaults to True.
        map_location (Any): for reading a path. Defaults to ``'cpu'``.
        revise_keys (sequence[tuple[str, str]]): regex (pattern, replacement) applied to
            every key. Defaults to stripping a leading ``module.``.
        logger (Any): mmengine ``print_log`` logger for the non-strict report.
        name (str, optional): how messages call the checkpoint. Defaults to the path
            (``'checkpoint'`` for a dict).
        model_desc (str): how messages call the model, e.g. ``'this SAM (input 64 px)'``.
            Defaults to ``'the model'``.

    Returns:
        dict: the whole checkpoint (``meta`` etc. included), config texts removed
        (:func:`drop_config_text`).

    Raises:
        CheckpointMismatchError: strict and the weights do not fit; the message gives the
            count of each kind and the first keys.
        CheckpointError: the file is missing, not a checkpoint, truncated or unsafe.
    """
    if isinstance(checkpoint, (str, os.PathLike)):
        name = name or os.fspath(checkpoint)
        checkpoint = read_checkpoint(checkpoint, map_location=map_location)
    name = name or 'checkpoint'
    drop_config_text(checkpoint)
    state_dict = {}
    for key, value in read_state_dict(checkpoint, name=name).items():
        for pattern, replacement in revise_keys:
            key = re.sub(pattern, replacement, key)
        state_dict[key] = value
    own = model.state_dict()
    optional = optional_checkpoint_keys(model)

    def required(key: str) -> bool:
        return not any(fnmatch.fnmatchcase(key, p) for p in optional)

    missing = [k for k in own if k not in state_dict and required(k)]
    unexpected = [k for k in state_dict if k not in own and required(k)]
    mismatched = [(k, tuple(getattr(v, 'shape', ())), tuple(own[k].shape))
                  for k, v in state_dict.items() if k in own
                  and tuple(getattr(v, 'shape', ())) != tuple(own[k].shape)]
    skip = {k for k, *_ in mismatched}  # never copied, optional or not
    mismatched = [m for m in mismatched if required(m[0])]
    if missing or unexpected or mismatched:
        report = _mismatch_report(name, missing, unexpected, mismatched, model_desc)
        if strict:
            raise CheckpointMismatchError(report, missing=missing, unexpected=unexpected,
                                          mismatched=mismatched)
        print_log(f'Loaded non-strictly; {report}', logger=logger, level=30)
    model.load_state_dict({k: v for k, v in state_dict.items() if k in own and k not in skip},
                          strict=False)
    return checkpoint
