"""Checkpoint layout converters, picked by sentinel keys and listed by name.

Every checkpoint layout ovseg reads registers here with a predicate over its key set (its
sentinel keys), the layout it produces and a one-line description, like open_clip's
``convert.py`` picks a converter by keys and ``list_pretrained()`` lists tags. Heads register
their own layouts (``ovseg/models/<head>/...``) without importing each other; the registry
(mmengine's :class:`~mmengine.registry.Registry`, for names, duplicates and lazy imports)
imports ``ovseg.models`` on first use, so every head's converters are known.

Registered today (``list_converters()``): native open_clip/OpenAI CLIP and SAM layouts
(identity), OVSeg's released mask-adapted CLIP and SynthCLIP mmengine checkpoints (to
open_clip), original DenseCLIP checkpoints (to ovseg's DenseCLIP modules).

Examples:
    >>> import torch
    >>> from ovseg.compat.converters import convert_checkpoint, find_converters
    >>> sd = {'clip_adapter.clip_model.token_embedding.weight': torch.zeros(4, 2)}
    >>> find_converters(sd)
    ['ovseg-mask-adapted-clip']
    >>> list(convert_checkpoint(sd, target='open_clip'))
    ['token_embedding.weight']
"""
from dataclasses import dataclass
from typing import AbstractSet, Callable, Dict, List, Optional

from mmengine.registry import Registry
from torch import Tensor

StateDict = Dict[str, Tensor]

#: name -> :class:`CheckpointConverter`; ``locations`` makes every head register on first use
CONVERTERS = Registry('checkpoint converter', locations=['ovseg.models'])


@dataclass(frozen=True)
class CheckpointConverter:
    """One checkpoint layout: how to recognise it and how to convert it.

    Args:
        name (str): registry name, e.g. ``'denseclip'``.
        description (str): one line: what reads it and what it becomes.
        target (str): layout of the result: ``'open_clip'``, ``'sam'`` or ``'ovseg'``.
        matches (Callable[[AbstractSet[str]], bool]): the sentinel test over the key set.
        convert (Callable[[dict], dict]): state dict in this layout -> the target layout.
    """

    name: str
    description: str
    target: str
    matches: Callable[[AbstractSet[str]], bool]
    convert: Callable[[StateDict], StateDict]

    def __call__(self, state_dict: StateDict) -> StateDict:
        return self.convert(state_dict)


def identity(state_dict: StateDict) -> StateDict:
    """The converter of a layout that is already the target's."""
    return dict(state_dict)


def register_converter(*, name: str, description: str, target: str,
                       matches: Callable[[AbstractSet[str]], bool],
                       convert: Callable[[StateDict], StateDict] = identity
                       ) -> CheckpointConverter:
    """Register a layout (see :class:`CheckpointConverter`); returns the converter."""
    converter = CheckpointConverter(name=name, description=description, target=target,
                                    matches=matches, convert=convert)
    CONVERTERS.register_module(name=name, module=converter)
    return converter


def _converters(target: Optional[str] = None) -> List[CheckpointConverter]:
    CONVERTERS.import_from_location()
    return [c for _, c in sorted(CONVERTERS.module_dict.items())
            if target is None or c.target == target]


def list_converters(target: Optional[str] = None) -> Dict[str, str]:
    """Registered converters: name -> ``'<description> (-> <target>)'``.

    Args:
        target (str, optional): only those producing this layout. Defaults to all.
    """
    return {c.name: f'{c.description} (-> {c.target})' for c in _converters(target)}


def find_converters(state_dict: StateDict, *, target: Optional[str] = None) -> List[str]:
    """Names of the converters whose sentinel keys match ``state_dict``."""
    keys = frozenset(state_dict)
    return [c.name for c in _converters(target) if c.matches(keys)]


def _menu(converters: List[CheckpointConverter]) -> str:
    return '; '.join(f'{c.name}: {c.description}' for c in converters)


def convert_checkpoint(state_dict: StateDict, *, target: Optional[str] = None,
                       converter: Optional[str] = None, keep_unknown: bool = False,
                       name: str = 'checkpoint') -> StateDict:
    """Convert ``state_dict`` with the one converter whose sentinel keys match.

    Args:
        state_dict (dict[str, Tensor]): weights as :func:`~.checkpoint.read_state_dict`
            returns them (unwrapped, ``module.`` stripped).
        target (str, optional): only consider converters producing this layout.
        converter (str, optional): require this converter; an error if its sentinels do not
            match (naming the converters that do).
        keep_unknown (bool): return ``state_dict`` unchanged when no converter matches (a
            loader's strict key check then names what does not fit). Defaults to False.
        name (str): how errors call the checkpoint. Defaults to ``'checkpoint'``.

    Returns:
        dict[str, Tensor]: the converted weights.

    Raises:
        KeyError: ``converter`` is not registered (the message lists the names).
        ValueError: no converter or several match; the message names the candidates.
    """
    candidates = _converters(target)
    if converter is not None and converter not in {c.name for c in candidates}:
        raise KeyError(f'Unknown checkpoint converter {converter!r}'
                       + (f' for target {target!r}' if target else '')
                       + f'; registered: {sorted(c.name for c in candidates)}')
    keys = frozenset(state_dict)
    matching = [c for c in candidates if c.matches(keys)]
    if converter is not None:
        chosen = [c for c in matching if c.name == converter]
        if not chosen:
            found = f'it looks like {[c.name for c in matching]}' if matching else \
                'no registered layout matches it'
            description = CONVERTERS.get(converter).description
            article = 'an' if description[:1].lower() in 'aeiou' else 'a'
            raise ValueError(f'{name} is not {article} {description} (the {converter!r} '
                             f'layout); {found}.')
        return chosen[0](state_dict)
    if not matching and keep_unknown:
        return state_dict
    if len(matching) != 1:
        what = 'no converter matches' if not matching else 'several converters match'
        shown = matching or candidates
        raise ValueError(f'{name}: {what} its keys (first keys: {sorted(keys)[:5]}). '
                         f'Candidates: {_menu(shown)}.')
    return matching[0](state_dict)


__all__ = ['CONVERTERS', 'CheckpointConverter', 'convert_checkpoint', 'find_converters',
           'identity', 'list_converters', 'register_converter']
