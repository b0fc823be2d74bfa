"""Reading a vocabulary (class names, optionally with synonyms) from anywhere."""
import json
import os
from typing import List, Sequence, Union

_FILE_SUFFIXES = ('.txt', '.json')


def _from_json(path: str) -> List[str]:
    with open(path, encoding='utf-8') as file:
        data = json.load(file)
    if isinstance(data, dict):
        data = data.get('classes')
    if not isinstance(data, list):
        raise ValueError(f'{path} must hold a list of names or {{"classes": [...]}}.')
    return [', '.join(item) if isinstance(item, list) else str(item) for item in data]


def load_vocabulary(source: Union[str, Sequence[str]]) -> List[str]:
    """Class names from a list, a separated string, or a ``.txt``/``.json`` file.

    One entry per class; an entry may list comma-separated synonyms
    (``'person, human'``), which :class:`TextClassifier` averages.

    Args:
        source (str | Sequence[str]):
            - a list or tuple of names;
            - a ``.txt`` file, one class per line (blank lines skipped);
            - a ``.json`` file with a list of names (or of synonym lists), or
              ``{"classes": [...]}``;
            - a string: one class per line if it has newlines, else one
              class per comma.

    Returns:
        list[str]: names, stripped, empty entries dropped.

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
                names = file.read().splitlines()
    elif isinstance(source, str):
        names = source.splitlines() if '\n' in source else source.split(',')
    else:
        raise TypeError(f'vocabulary source must be a list, string or file, '
                        f'not {type(source).__name__}')
    return [name.strip() for name in names if name.strip()]
