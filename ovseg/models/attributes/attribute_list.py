"""Attribute lists: attribute names with their parent types, from a file or a list.

The attribute vocabulary of CLIP-Attr / OvarNet needs a parent type per attribute (the word
between the prompt vectors: ``'red'`` with ``'color'``). :func:`load_attribute_list` reads it
from what a user writes, and names the file and line of any entry it refuses:

- a ``.txt`` file, one attribute per line as ``parent: name`` (OVAD's ``type:name`` order;
  ``color: gray, grey`` gives synonyms); blank lines and lines starting with ``#`` skipped;
- a ``.json`` file: ``{"name": "parent", ...}`` (VAW's ``att2types.json``) or a list of
  ``{"name": ..., "type": ...}`` (SynthWorld's and OVAD's attribute entries);
- a list of ``'parent: name'`` strings, or a :class:`Vocabulary` with parents.
"""
import json
import os.path as osp
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from ..clip.vocabulary import Vocabulary, VocabularyError

AttributeSource = Union[str, Sequence[str], Vocabulary]


def _json_entries(path: str) -> List[Tuple[str, str, str]]:
    """(where, name, parent) of a JSON attribute list."""
    with open(path, encoding='utf-8') as file:
        try:
            data = json.load(file)
        except json.JSONDecodeError as err:
            raise VocabularyError(f'{path} is not valid JSON: {err}') from None
    if isinstance(data, dict):
        return [(f'{path}, key {name!r}', str(name), parent if isinstance(parent, str) else '')
                for name, parent in data.items()]
    if not isinstance(data, list):
        raise VocabularyError(f'{path} must hold {{"name": "parent", ...}} or a list of '
                              '{"name": ..., "type": ...}')
    entries = []
    for k, item in enumerate(data):
        if not isinstance(item, dict) or 'name' not in item:
            raise VocabularyError(f'{path}, entry {k}: {item!r} is not {{"name": ..., '
                                  '"type": ...}')
        parent = item.get('type', item.get('parent'))
        entries.append((f'{path}, entry {k}', str(item['name']),
                        parent if isinstance(parent, str) else ''))
    return entries


def _line_entries(lines: Iterable[Tuple[str, str]]) -> List[Tuple[str, str, str]]:
    """(where, name, parent) of ``parent: name`` lines, each with where it comes from."""
    entries = []
    for where, line in lines:
        parent, sep, name = line.partition(':')
        if not sep:
            raise VocabularyError(f'{where}: {line.strip()!r} has no parent type; write '
                                  "'parent: name' (e.g. 'color: red')")
        entries.append((where, name.strip(), parent.strip()))
    return entries


def load_attribute_list(source: AttributeSource, *,
                        parent_types: Optional[Sequence[str]] = None) -> Vocabulary:
    """The attribute vocabulary (with parents) of a file or list (module docstring).

    Args:
        source (str | Sequence[str] | Vocabulary): a ``.txt`` / ``.json`` file, a list of
            ``'parent: name'`` strings, or a :class:`Vocabulary` with parents.
        parent_types (Sequence[str], optional): the parent types allowed (those the model
            was trained with); None allows any. Defaults to None.

    Returns:
        Vocabulary: the attributes in order, ``parents`` set.

    Raises:
        FileNotFoundError: a file that does not exist.
        VocabularyError: naming the file and line (or entry): an empty list, an entry
            without a parent type, an unknown parent type, an empty or duplicate name.

    Examples:
        >>> vocab = load_attribute_list(['color: red', 'pattern: striped, stripy'])
        >>> vocab.names, vocab.parents
        (('red', 'striped, stripy'), ('color', 'pattern'))
    """
    if isinstance(source, Vocabulary):
        if source.parents is None:
            raise VocabularyError('the attribute vocabulary needs a parent type per attribute '
                                  '(Vocabulary(..., parents=[...]))')
        entries = [(f'attribute {k} ({name!r})', name, parent)
                   for k, (name, parent) in enumerate(zip(source.names, source.parents))]
        what = 'the attribute vocabulary'
    elif isinstance(source, str):
        if not osp.isfile(source):
            raise FileNotFoundError(f'attribute list {source} does not exist')
        what = f'attribute list {source}'
        if source.lower().endswith('.json'):
            entries = _json_entries(source)
        else:
            with open(source, encoding='utf-8') as file:
                lines = [(f'{source}, line {n}', line)
                         for n, line in enumerate(file.read().splitlines(), start=1)
                         if line.strip() and not line.lstrip().startswith('#')]
            entries = _line_entries(lines)
    elif isinstance(source, (list, tuple)):
        what = 'the attribute list'
        entries = _line_entries((f'attribute {k}', str(line)) for k, line in enumerate(source))
    else:
        raise TypeError(f'attribute list must be a file, a list or a Vocabulary, not '
                        f'{type(source).__name__}')
    if not entries:
        raise VocabularyError(f'{what} is empty: give at least one attribute as '
                              "'parent: name' (e.g. 'color: red')")
    known = None if parent_types is None else sorted(set(parent_types))
    for where, name, parent in entries:
        if not name:
            raise VocabularyError(f'{where}: empty attribute name')
        if not parent:
            raise VocabularyError(f'{where}: {name!r} has no parent type')
        if known is not None and parent not in known:
            raise VocabularyError(f'{where}: unknown parent type {parent!r} of {name!r} '
                                  f'(known: {", ".join(known)})')
    try:
        return Vocabulary([name for _, name, _ in entries],
                          parents=[parent for _, _, parent in entries])
    except VocabularyError as err:  # duplicates and empty synonyms: name the list
        raise VocabularyError(f'{err} (in {what})') from None
