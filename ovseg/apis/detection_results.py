"""Boxes from a detector's dumped results, read without running code from the file.

CLIP-Attr (and any model that scores given boxes) takes its proposals from another detector,
handed over as mmdet hands them over: ``python tools/test.py DET_CONFIG CKPT --out
results.pkl`` (mmdet's ``DumpDetResults``: per image a dict with ``img_path`` and
``pred_instances`` holding ``bboxes`` (N, 4) x1y1x2y2 pixels and ``scores`` (N,)), or a
proposal file ``{img_path: {'bboxes', 'scores'}}``. Both are pickles, and unpickling runs
whatever the file names, so :func:`read_detection_results` unpickles with an allow-list
(containers, tensors, numpy arrays); the tensors' storages are read by ``torch.load`` with
``weights_only=True``. mmengine's ``load`` has no such mode, hence this reader.
"""
import _codecs
import collections
import io
import os.path as osp
import pickle
from typing import Any, Dict

import numpy as np
import torch
from numpy._core import multiarray

from ..utils.errors import InputError


class DetectionResultsError(InputError, ValueError):
    """A results file that is not a detector's dumped boxes, or needs code to be read."""


def _storage_from_bytes(data: bytes) -> Any:
    """Replacement for ``torch.storage._load_from_bytes``, with ``weights_only=True``."""
    return torch.load(io.BytesIO(data), weights_only=True)


_ALLOWED = {
    ('collections', 'OrderedDict'): collections.OrderedDict,
    ('_codecs', 'encode'): _codecs.encode,  # bytes in pickle protocols < 3
    ('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
    ('torch.storage', '_load_from_bytes'): _storage_from_bytes,
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
    # numpy 1.x pickles name numpy.core, numpy 2.x numpy._core
    ('numpy.core.multiarray', '_reconstruct'): multiarray._reconstruct,
    ('numpy._core.multiarray', '_reconstruct'): multiarray._reconstruct,
    ('numpy.core.multiarray', 'scalar'): multiarray.scalar,
    ('numpy._core.multiarray', 'scalar'): multiarray.scalar,
}


class _DataUnpickler(pickle.Unpickler):
    """Resolves only the globals that detection results legitimately hold."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f'global {module}.{name} is not allowed')


def _as_array(value: Any, where: str, columns: int) -> np.ndarray:
    array = value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
    if array.ndim == 1 and columns == 1:
        return array.astype(np.float64)
    if array.ndim != 2 or array.shape[1] != columns:
        raise DetectionResultsError(f'{where}: expected ({"N, " if columns > 1 else ""}'
                                    f'{columns}) values, got shape {array.shape}')
    return array.astype(np.float64)


def _kept_boxes(instances: Any, where: str, score_thr: float) -> np.ndarray:
    if not isinstance(instances, dict) or 'bboxes' not in instances:
        raise DetectionResultsError(f"{where}: no 'bboxes' (a dict with 'bboxes' and "
                                    "'scores' per image)")
    boxes = _as_array(instances['bboxes'], f'{where} bboxes', 4)
    if 'scores' not in instances:
        return boxes
    scores = _as_array(instances['scores'], f'{where} scores', 1).reshape(-1)
    if len(scores) != len(boxes):
        raise DetectionResultsError(f'{where}: {len(boxes)} boxes but {len(scores)} scores')
    return boxes[scores >= score_thr]


def read_detection_results(path: str, *, score_thr: float = 0.0) -> Dict[str, list]:
    """Per image path, the boxes a detector dumped with a score of at least ``score_thr``.

    Args:
        path (str): a ``.pkl`` of mmdet's ``DumpDetResults`` (``tools/test.py --out``) or a
            proposal file ``{img_path: {'bboxes': (N, 4), 'scores': (N,)}}``.
        score_thr (float): boxes scored below it are dropped. Defaults to 0.

    Returns:
        dict[str, list]: image path -> [[x1, y1, x2, y2], ...] (the file's order).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DetectionResultsError: the file names code to run (a global outside the allow-list),
            or is not one of the two structures (the file and the image are named).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'detection results file {path} does not exist')
    with open(path, 'rb') as file:
        try:
            results = _DataUnpickler(file).load()
        except (pickle.UnpicklingError, EOFError) as err:
            raise DetectionResultsError(f'detection results file {path} cannot be read as '
                                        f'data: {err}') from None
    if isinstance(results, dict):
        items = [(str(k), v) for k, v in results.items()]
    elif isinstance(results, list) and all(isinstance(r, dict) and 'img_path' in r
                                           for r in results):
        items = [(str(r['img_path']), r.get('pred_instances')) for r in results]
    else:
        raise DetectionResultsError(f'detection results file {path}: expected a list of '
                                    "mmdet results (each with 'img_path' and 'pred_instances') "
                                    'or a dict image path -> proposals')
    return {image: _kept_boxes(instances, f'{path}, image {image}', score_thr).tolist()
            for image, instances in items}


__all__ = ['DetectionResultsError', 'read_detection_results']
