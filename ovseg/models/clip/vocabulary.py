"""Reading a vocabulary (class names, optionally with synonyms) and the one rule it must obey.

Every place that takes a vocabulary (``TextClassifier``, DenseCLIP's ``set_vocabulary``, the
``VocabularyHook``, ``tools/test.py --vocabulary``, the demo, region mining) validates it with
:func:`check_vocabulary`, so a vocabulary is accepted or refused the same way everywhere.
"""
import json
import os
import re
from typing import Dict, List, Sequence, Tuple, Union

from ovseg.utils.errors import InputError

_FILE_SUFFIXES = ('.txt', '.json')


class VocabularyError(InputError, ValueError):
    """A vocabulary that breaks the rule of :func:`check_vocabulary`; names the entry."""


def _synonyms(entry: str) -> List[str]:
    return [part.strip() for part in entry.split(',')]


def _normalised(entry: str) -> Tuple[str, ...]:
    """Synonyms lower-cased with runs of white space collapsed: the identity of an entry."""
    return tuple(re.sub(r'\s+', ' ', s).lower() for s in _synonyms(entry))


def check_vocabulary(names: Sequence[str]) -> List[str]:
    """The vocabulary rule: at least one entry, no empty entry or synonym, no duplicate.

    An entry is a class name or comma-separated synonyms (``'person, human'``). Two
    entries are duplicates when they differ only in case or white space.

    Args:
        names (Sequence[str]): K entries in label order.

    Returns:
        list[str]: the entries, stripped.

    Raises:
        VocabularyError: naming the offending entry (and its position).

    Examples:
        >>> check_vocabulary([' cat', 'dog, puppy'])
        ['cat', 'dog, puppy']
        >>> check_vocabulary(['cat', 'Cat '])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ovseg...VocabularyError: vocabulary entries 0 ('cat') and 1 ('Cat') are duplicates
    """
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f'a vocabulary is a sequence of names, not {type(names).__name__}')
    if not names:
        raise VocabularyError('the vocabulary is empty; give at least one class name')
    first: Dict[Tuple[str, ...], int] = {}
    for k, name in enumerate(names):
        if not isinstance(name, str):
            raise VocabularyError(f'vocabulary entry {k} ({name!r}) is not a string')
        if not name.strip():
            raise VocabularyError(f'vocabulary entry {k} ({name!r}) is empty')
        if not all(_synonyms(name)):
            raise VocabularyError(f'vocabulary entry {k} ({name!r}) has an empty synonym')
        j = first.setdefault(_normalised(name), k)
        if j != k:
            raise VocabularyError(f'vocabulary entries {j} ({names[j].strip()!r}) and {k} '
                                  f'({name.strip()!r}) are duplicates')
    return [name.strip() for name in names]


def _from_json(path: str) -> List[str]:
    with open(path, encoding='utf-8') as file:
        data = json.load(file)
    if isinstance(data, dict):
        data = data.get('classes')
    if not isinstance(data, list):
        raise VocabularyError(f'{path} must hold a list of names or {{"classes": [...]}}.')
    return [', '.join(item) if isinstance(item, list) else str(item) for item in data]


def load_vocabulary(source: Union[str, Sequence[str]]) -> List[str]:
    """Class names from a list, a separated string, or a ``.txt``/``.json`` file.

    One entry per class; an entry may list comma-separated synonyms
    (``'person, human'``), which :class:`TextClassifier` averages. The result obeys
    :func:`check_vocabulary`.

    Args:
        source (str | Sequence[str]):
            - a list or tuple of names;
            - a ``.txt`` file, one class per line (blank lines skipped);
            - a ``.json`` file with a list of names (or of synonym lists), or
              ``{"classes": [...]}``;
            - a string: one class per line if it has newlines (blank lines
              skipped), else one class per comma.

    Returns:
        list[str]: names, stripped.

    Raises:
        FileNotFoundError: a ``.txt``/``.json`` source that does not exist.
        VocabularyError: an empty vocabulary (``''``, ``',,,'``), an empty entry or
            synonym, or duplicate entries.

    Examples:
        >>> load_vocabulary('cat, dog,  traffic light')
        ['cat', 'dog', 'traffic light']
        >>> load_vocabulary('person, human\\ncar')
        ['person, human', 'car']
    """
    if isinstance(source, (list, tuple)):
        names = [str(name) for name in source]
    elif isinstance(source, str) and source.lower().endswith(_FILE_SUFFIXES):
        if not os.path.isfile(source):
            raise FileNotFoundError(f'Vocabulary file {source} does not exist.')
        if source.lower().endswith('.json'):
            names = _from_json(source)
        else:
            with open(source, encoding='utf-8') as file:
                names = [line for line in file.read().splitlines() if line.strip()]
    elif isinstance(source, str) and '\n' in source:
        names = [line for line in source.splitlines() if line.strip()]
    elif isinstance(source, str):
        names = source.split(',') if source.strip() else []
    else:
        raise TypeError(f'vocabulary source must be a list, string or file, '
                        f'not {type(source).__name__}')
    try:
        return check_vocabulary(names)
    except VocabularyError as err:
        if isinstance(source, str) and len(source) < 200:  # name the argument or file
            raise VocabularyError(f'{err} (in {source!r})') from None
        raise
