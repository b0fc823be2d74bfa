"""The vocabulary: class names in label order, their synonyms, and the one rule they obey.

:class:`Vocabulary` is the one type every place that takes class names uses
(``TextClassifier.encode``/``set_vocabulary``, DenseCLIP's ``set_vocabulary``, the
``VocabularyHook``, ``tools/test.py --vocabulary``, the demo, region mining), and
:func:`split_synonyms` is the one parser of comma-separated synonyms. A vocabulary is
validated by :func:`check_vocabulary`, so it is accepted or refused the same way everywhere.
"""
import dataclasses
import json
import os
import re
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ovseg.utils.errors import InputError

_FILE_SUFFIXES = ('.txt', '.json')


class VocabularyError(InputError, ValueError):
    """A vocabulary that breaks the rule of :func:`check_vocabulary`; names the entry."""


SYNONYM_RULES = ('split', 'whole')


def split_synonyms(entry: str) -> Tuple[str, ...]:
    """The one parser of an entry: ``'person, human'`` -> ``('person', 'human')``.

    Parts are stripped; empty parts are kept (as ``''``) so that :func:`check_vocabulary`
    can refuse them.

    Examples:
        >>> split_synonyms(' circle, round disc ')
        ('circle', 'round disc')
    """
    return tuple(part.strip() for part in entry.split(','))


def display_name(entry: str) -> str:
    """The short name of an entry (its first synonym), for legends and metric tables.

    Examples:
        >>> display_name('road, route')
        'road'
    """
    return split_synonyms(entry)[0]


def _normalised(entry: str) -> Tuple[str, ...]:
    """Synonyms lower-cased with runs of white space collapsed: the identity of an entry."""
    return tuple(re.sub(r'\s+', ' ', s).lower() for s in split_synonyms(entry))


def check_vocabulary(names: Sequence[str],
                     parents: Optional[Sequence[str]] = None) -> List[str]:
    """The vocabulary rule: at least one entry, no empty entry or synonym, no duplicate.

    An entry is a class name or comma-separated synonyms (``'person, human'``). Two
    entries are duplicates when they differ only in case or white space, and, when
    parent types are given, have the same parent too (OVAD's ``color:black`` and
    ``hair color:black`` are two classes with two prompts).

    Args:
        names (Sequence[str]): K entries in label order.
        parents (Sequence[str], optional): K parent types (checked by :class:`Vocabulary`).
            Defaults to None.

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
        if not all(split_synonyms(name)):
            raise VocabularyError(f'vocabulary entry {k} ({name!r}) has an empty synonym')
        key = _normalised(name)
        if parents is not None and k < len(parents):
            key += (' '.join(str(parents[k]).split()).lower(),)
        j = first.setdefault(key, k)
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


def _read_source(source: Union[str, Sequence[str]]) -> List[str]:
    """Raw entries of a list, a separated string or a ``.txt``/``.json`` file (unchecked)."""
    if isinstance(source, (list, tuple)):
        return [str(name) for name in source]
    if isinstance(source, str) and source.lower().endswith(_FILE_SUFFIXES):
        if not os.path.isfile(source):
            raise FileNotFoundError(f'Vocabulary file {source} does not exist.')
        if source.lower().endswith('.json'):
            return _from_json(source)
        with open(source, encoding='utf-8') as file:
            return [line for line in file.read().splitlines() if line.strip()]
    if isinstance(source, str) and '\n' in source:
        return [line for line in source.splitlines() if line.strip()]
    if isinstance(source, str):
        return source.split(',') if source.strip() else []
    raise TypeError(f'vocabulary source must be a list, string or file, '
                    f'not {type(source).__name__}')


def load_vocabulary(source: Union[str, Sequence[str]]) -> List[str]:
    """Class names from a list, a separated string, or a ``.txt``/``.json`` file.

    One entry per class; an entry may list comma-separated synonyms
    (``'person, human'``), which :class:`TextClassifier` averages. The result obeys
    :func:`check_vocabulary`. :meth:`Vocabulary.from_source` is the typed form.

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
    names = _read_source(source)
    try:
        return check_vocabulary(names)
    except VocabularyError as err:
        if isinstance(source, str) and len(source) < 200:  # name the argument or file
            raise VocabularyError(f'{err} (in {source!r})') from None
        raise


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """K classes in label order: per class its entry, its synonyms and a display name.

    An entry is a class name or comma-separated synonyms (``'person, human'``). The rule
    ``synonyms`` says what is formatted into the prompt templates:

    - ``'split'`` (ovseg): each synonym, and the class embedding averages them;
    - ``'whole'`` (OVSeg's released models): the entry as one string, commas included
      (OVSeg prompts ``'a photo of a road, route.'``).

    Optionally each class has a parent type (VAW's attribute "type": ``'red'`` ->
    ``'color'``; a category's super-category), which attribute prompts put after the name
    (OvarNet, https://arxiv.org/abs/2301.09506).

    Optionally each class says whether it was seen in training (the dataset's ``seen``
    flags, e.g. SynthWorld's open-vocabulary split), which calibrated stacking reads
    (:func:`~ovseg.models.clip.calibration.seen_class_mask`).

    Immutable and hashable (a cache key); equal when the entries, the rule, the parents and
    the seen flags are.

    Args:
        names (Sequence[str]): K entries in label order; checked by
            :func:`check_vocabulary` and stripped.
        synonyms (str): ``'split'`` or ``'whole'``. Defaults to ``'split'``.
        parents (Sequence[str], optional): K parent types, one per entry, non-empty.
            Defaults to None.
        seen (Sequence[bool], optional): K flags, True for the classes seen in training.
            Defaults to None (unknown).

    Examples:
        >>> vocab = Vocabulary(['cat', 'road, route'])
        >>> len(vocab), vocab.texts, vocab.display_names
        (2, (('cat',), ('road', 'route')), ('cat', 'road'))
        >>> Vocabulary(['cat', 'road, route'], synonyms='whole').texts
        (('cat',), ('road, route',))
        >>> Vocabulary(['red', 'striped'], parents=['color', 'pattern']).parents
        ('color', 'pattern')
    """

    names: Tuple[str, ...]
    synonyms: str = dataclasses.field(default='split', kw_only=True)
    parents: Optional[Tuple[str, ...]] = dataclasses.field(default=None, kw_only=True)
    seen: Optional[Tuple[bool, ...]] = dataclasses.field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.synonyms not in SYNONYM_RULES:
            raise ValueError(f'synonyms must be one of {SYNONYM_RULES}, not {self.synonyms!r}')
        object.__setattr__(self, 'names', tuple(check_vocabulary(self.names, self.parents)))
        if self.parents is not None:
            object.__setattr__(self, 'parents', self._checked_parents(self.parents))
        if self.seen is not None:
            object.__setattr__(self, 'seen', self._checked_seen(self.seen))

    def _checked_seen(self, seen: Sequence[bool]) -> Tuple[bool, ...]:
        if isinstance(seen, str) or len(seen) != len(self.names):
            raise VocabularyError(f'give one seen flag per vocabulary entry: {len(self.names)} '
                                  f'entries, seen {seen!r}')
        return tuple(bool(flag) for flag in seen)

    def _checked_parents(self, parents: Sequence[str]) -> Tuple[str, ...]:
        if isinstance(parents, str) or len(parents) != len(self.names):
            raise VocabularyError(f'give one parent type per vocabulary entry: {len(self.names)} '
                                  f'entries, parents {parents!r}')
        for k, parent in enumerate(parents):
            if not isinstance(parent, str) or not parent.strip():
                raise VocabularyError(f'vocabulary entry {k} ({self.names[k]!r}) has an empty '
                                      f'parent type ({parent!r})')
        return tuple(parent.strip() for parent in parents)

    @classmethod
    def from_source(cls, source: Union[str, Sequence[str], 'Vocabulary'], *,
                    synonyms: Optional[str] = None) -> 'Vocabulary':
        """A vocabulary from a :class:`Vocabulary`, a list, a string or a file.

        Args:
            source: see :func:`load_vocabulary`; a :class:`Vocabulary` is returned as it
                is (with its rule replaced when ``synonyms`` is given).
            synonyms (str, optional): the rule; None keeps a given vocabulary's rule
                and means ``'split'`` otherwise. Defaults to None.
        """
        if isinstance(source, Vocabulary):
            return source if synonyms is None else source.with_rule(synonyms)
        return cls(load_vocabulary(source), synonyms=synonyms or 'split')

    @classmethod
    def from_metainfo(cls, metainfo: Mapping, *, synonyms_key: Optional[str] = 'class_synonyms',
                      synonyms: str = 'split',
                      parents_key: Optional[str] = 'class_parents',
                      seen_key: Optional[str] = 'seen') -> 'Vocabulary':
        """The vocabulary of a dataset: ``metainfo[synonyms_key]`` if present, else ``classes``.

        Synonym entries are aligned with ``classes`` by position (label id); they must
        be as many. ``metainfo[parents_key]`` (e.g. COCO super-categories) and
        ``metainfo[seen_key]`` (one bool per class, e.g. SynthWorld's), when present, give
        the parent types and the seen flags (flags of another length are ignored).

        Raises:
            VocabularyError: no ``classes``, or a synonym list of another length.
        """
        classes = metainfo.get('classes')
        if not classes:
            raise VocabularyError('the dataset metainfo has no "classes"')
        parents = metainfo.get(parents_key) if parents_key else None
        parents = tuple(parents) if parents else None
        seen = metainfo.get(seen_key) if seen_key else None
        # flags of another class list (a config that renames ``classes`` but inherits the
        # dataset's default ``seen``) say nothing about these classes: unknown, not an error
        seen = tuple(seen) if seen is not None and len(seen) == len(classes) else None
        entries = metainfo.get(synonyms_key) if synonyms_key else None
        if entries:
            if len(entries) != len(classes):
                raise VocabularyError(f'metainfo "{synonyms_key}" has {len(entries)} entries but '
                                      f'"classes" has {len(classes)}; give one per class')
            return cls(list(entries), synonyms=synonyms, parents=parents, seen=seen)
        return cls(list(classes), synonyms=synonyms, parents=parents, seen=seen)

    def with_rule(self, synonyms: str) -> 'Vocabulary':
        """The same entries under another synonym rule."""
        return dataclasses.replace(self, synonyms=synonyms)

    def with_parents(self, parents: Union[str, Sequence[str]]) -> 'Vocabulary':
        """The same entries with parent types (one per entry, or one string for all)."""
        if isinstance(parents, str):
            parents = [parents] * len(self)
        return dataclasses.replace(self, parents=tuple(parents))

    def aligned_to(self, classes: Sequence[str], *, what: str = 'the vocabulary') -> 'Vocabulary':
        """Check that this vocabulary names the dataset's classes one to one, in label order.

        Raises:
            VocabularyError: naming both sizes when they differ.
        """
        if len(self) != len(classes):
            raise VocabularyError(
                f'{what} has {len(self)} names but the dataset has {len(classes)} classes; '
                'give one name (or comma-separated synonyms) per dataset class, in label order')
        return self

    @property
    def texts(self) -> Tuple[Tuple[str, ...], ...]:
        """Per class the texts formatted into the templates (see the rule ``synonyms``)."""
        if self.synonyms == 'whole':
            return tuple((name,) for name in self.names)
        return tuple(split_synonyms(name) for name in self.names)

    @property
    def display_names(self) -> Tuple[str, ...]:
        """Per class its first synonym, for legends and tables (whatever the rule)."""
        return tuple(display_name(name) for name in self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __getitem__(self, index: int) -> str:
        return self.names[index]
