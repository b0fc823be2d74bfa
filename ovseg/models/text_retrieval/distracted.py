"""Distracted queries (FDP Sec. 3.3): dictionary neighbours of a word as hard negatives."""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor


def distracted_candidates(word: str, dictionary: Sequence[str], *, max_candidates: int = 5,
                          long_word: int = 5) -> List[Tuple[str, int]]:
    """The word and its nearest dictionary neighbours by Levenshtein distance.

    FDP Sec. 3.3: neighbours within distance 2 for words longer than ``long_word`` letters,
    else 1; the word itself first (distance 0), then by distance and dictionary order; at
    most ``max_candidates`` in all. Uses rapidfuzz (a maintained C++ edit-distance library)
    instead of the original's trie.

    Args:
        word (str): the query word.
        dictionary (Sequence[str]): the dictionary (a word's own entry is not repeated).
        max_candidates (int): most candidates, the word included. Defaults to 5.
        long_word (int): longer words get distance 2. Defaults to 5.

    Returns:
        list[tuple[str, int]]: (candidate, edit distance) pairs, ``(word, 0)`` first.

    Examples:
        >>> distracted_candidates('cart', ['cat', 'card', 'cart', 'dog', 'cast'])
        [('cart', 0), ('cat', 1), ('card', 1), ('cast', 1)]
    """
    from rapidfuzz import process  # optional dependency, imported where used
    from rapidfuzz.distance import Levenshtein
    cutoff = 2 if len(word) > long_word else 1
    found = process.extract(word, dictionary, scorer=Levenshtein.distance,
                            score_cutoff=cutoff, limit=None)
    neighbours = sorted((dist, index, choice) for choice, dist, index in found
                        if choice != word)
    return [(word, 0)] + [(choice, int(dist))
                          for dist, _, choice in neighbours[:max_candidates - 1]]


def distracted_targets(distances: Tensor, valid: Tensor, *, offset: float = 0.1) -> Tensor:
    """Target distribution ``softmax(1 / (d + offset))`` over the valid candidates.

    Args:
        distances (Tensor): (B, M) edit distances (0 for the query word itself).
        valid (Tensor): (B, M) bool, False on padding.
        offset (float): FDP's 0.1. Defaults to 0.1.

    Returns:
        Tensor: (B, M) float, rows summing to 1, 0 on padding.

    Examples:
        >>> distracted_targets(torch.tensor([[0, 1]]), torch.tensor([[True, True]]))
        tensor([[9.9989e-01, 1.1267e-04]])
    """
    logits = (1.0 / (distances.float() + offset)).masked_fill(~valid, float('-inf'))
    return torch.softmax(logits, dim=-1)
