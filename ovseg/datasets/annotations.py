"""Reading annotation files of the real attribute datasets with errors that name file and key."""
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.fileio import load

from ovseg.utils.errors import InputError


class AnnotationError(InputError, ValueError):
    """A malformed annotation file; the message names the file, the entry and the key."""


def load_annotation(path: str, *, kind: type, what: str) -> Any:
    """The JSON content of ``path``, checked to be a ``kind`` (``dict`` or ``list``).

    Raises:
        FileNotFoundError: naming ``what`` and the path.
        AnnotationError: the content is not a ``kind``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path} does not exist')
    try:
        data = load(path, file_format='json')
    except ValueError as err:  # json.JSONDecodeError
        raise AnnotationError(f'{path}: not valid JSON ({err})') from None
    if not isinstance(data, kind):
        raise AnnotationError(f'{path}: {what} must be a JSON {kind.__name__}, '
                              f'not {type(data).__name__}')
    return data


def field(entry: Mapping, key: str, where: str,
          kind: Union[None, type, Tuple[type, ...]] = None) -> Any:
    """``entry[key]``, or an :class:`AnnotationError` naming ``where`` and ``key``."""
    if not isinstance(entry, Mapping):
        raise AnnotationError(f'{where} is a {type(entry).__name__}, not an object')
    if key not in entry:
        raise AnnotationError(f'{where} has no "{key}"')
    value = entry[key]
    if kind is not None and not isinstance(value, kind):
        expected = ' or '.join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise AnnotationError(f'{where}: "{key}" must be a {expected}, '
                              f'not {type(value).__name__} ({value!r:.60})')
    return value


def xywh_box(value: Any, where: str) -> List[float]:
    """A ``[x, y, w, h]`` box as floats, or an :class:`AnnotationError` naming ``where``."""
    if (not isinstance(value, (list, tuple)) or len(value) != 4
            or not all(isinstance(v, (int, float)) for v in value)):
        raise AnnotationError(f'{where}: the box must be [x, y, width, height], got {value!r}')
    return [float(v) for v in value]


def label_vector(size: int, positives: Sequence[int], negatives: Sequence[int]) -> np.ndarray:
    """(A,) int8 attribute targets: 1 positive, 0 negative, -1 unknown (positives win)."""
    targets = np.full(size, -1, dtype=np.int8)
    targets[list(negatives)] = 0
    targets[list(positives)] = 1
    return targets


def attribute_metainfo(names: Sequence[str], types: Sequence[str], *,
                       groups: Optional[Sequence[str]] = None,
                       frequency: Optional[Sequence[str]] = None,
                       seen: Optional[Sequence[bool]] = None) -> Dict[str, tuple]:
    """The attribute keys of a dataset metainfo (those of ``SynthWorldAttributeDataset``, plus).

    ``attributes`` (entries, comma-separated synonyms), ``attribute_types`` (the parent type
    that prompts name), and when given ``attribute_groups`` (the coarser group the VAW /
    OVAD evaluators report), ``attribute_frequency`` (``'head'`` / ``'medium'`` /
    ``'tail'``) and ``attribute_seen`` (base / novel).
    """
    meta = dict(attributes=tuple(names), attribute_types=tuple(types))
    for key, values in (('attribute_groups', groups), ('attribute_frequency', frequency),
                        ('attribute_seen', seen)):
        if values is not None:
            meta[key] = tuple(values)
    return meta
