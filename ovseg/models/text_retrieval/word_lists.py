"""Named word lists for FDP: the frequent words clustered into content / function words and
the dictionary of distracted candidates (FDP ships ``queries.txt`` and ``dictionary.txt``).

Configs name a list (``cluster_words='synthworld'``) or give the words; a name resolves here,
as template sets do in :func:`ovseg.models.clip.get_templates`.
"""
from typing import Dict, List, Sequence, Tuple, Union

from ovseg.datasets.synthworld.vocab import SYNTHWORLD_WORDS

_FIRST_FUNCTION = SYNTHWORLD_WORDS.index('the')
# every fifth word from the third: never cropped by the word pretraining of the SynthWorld CLIP
# (configs/synthworld/synthclip_rn-s_synthworld-words-96.py), so retrieval can tell reading
# from remembering word shapes
_HELD_OUT = SYNTHWORLD_WORDS[2::5]

WORD_LISTS: Dict[str, Tuple[str, ...]] = {
    # SynthWorld's sign dictionary: content words in near-spelling groups plus function words
    'synthworld': SYNTHWORLD_WORDS,
    # its two parts as written in the dictionary (word groups of the retrieval metric)
    'synthworld-content': SYNTHWORLD_WORDS[:_FIRST_FUNCTION],
    'synthworld-function': SYNTHWORLD_WORDS[_FIRST_FUNCTION:],
    'synthworld-heldout': _HELD_OUT,
    'synthworld-pretrained': tuple(w for w in SYNTHWORLD_WORDS if w not in _HELD_OUT),
}


def list_word_lists() -> List[str]:
    """Names accepted by :func:`get_word_list`."""
    return list(WORD_LISTS)


def get_word_list(words: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    """A named list (:func:`list_word_lists`) or the given words, as a tuple.

    Examples:
        >>> 'the' in get_word_list('synthworld'), get_word_list(['cat', 'the'])
        (True, ('cat', 'the'))
    """
    if isinstance(words, str):
        if words not in WORD_LISTS:
            raise KeyError(f'unknown word list {words!r}; named lists: {list_word_lists()}')
        return WORD_LISTS[words]
    return tuple(words)


def lower_case_words(words: Union[str, Sequence[str]],
                     exclude: Union[str, Sequence[str]] = ()) -> Tuple[str, ...]:
    """:func:`get_word_list` lower-cased, each word once (first occurrence), minus ``exclude``.

    ``exclude`` is a named list or words too, compared lower-case: what the word-pair
    transforms draw from and the word head classifies.

    Examples:
        >>> lower_case_words(['Cat', 'cat', 'The', 'dog'], exclude=['DOG'])
        ('cat', 'the')
    """
    excluded = {w.lower() for w in get_word_list(exclude)}
    return tuple(dict.fromkeys(w.lower() for w in get_word_list(words)
                               if w.lower() not in excluded))
