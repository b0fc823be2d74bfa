"""Mining (masked region, noun) pairs from image captions with CLIP.

OVSeg (https://arxiv.org/abs/2210.04150), Sec. 3.2: nouns are extracted from an image's
captions and CLIP assigns each noun its best-matching mask proposal; the masked crops with
their nouns fine-tune CLIP (Table 2, case 3: 1 caption, ~100 proposals per COCO image). The
original mining code is not released (issue #7); this is our reading of the paper:

- nouns: for a closed noun list (SynthWorld: class names and synonyms from the dataset
  metainfo) the list entries found in the caption, longest first, quoted scene text
  skipped; for free-form captions NLTK's part-of-speech tagger (optional dependency);
- matching: cosine between the region embedding of every valid proposal (the same crops
  that are classified at test time) and the noun's text embedding (templates of the
  ``TextClassifier``; OVSeg does not say which), the best proposal per noun;
- output: lossless PNG crops (mean fill, CLIP input size), explicit PNG masks, and a
  tab-separated ``pairs.tsv`` with ``filepath``/``title`` columns as OVSeg's CSVs, plus
  ``mask_path``, ``category``, ``image_id`` and ``score``.
"""
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from ..clip.vocabulary import Vocabulary
from ..utils.masks import crop_masked_regions, crops_to_pixels

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')


def _words(text: str) -> List[str]:
    return _WORD.findall(text.lower())


def build_noun_index(vocabulary: Union[Vocabulary, Sequence[str]]
                     ) -> Dict[Tuple[str, ...], str]:
    """Word tuples of every synonym -> class name (the first synonym).

    Args:
        vocabulary (Vocabulary | Sequence[str]): class entries with comma-separated
            synonyms (``'circle, round disc, disk'``), e.g. ``metainfo['class_synonyms']``;
            always split into synonyms (a caption names one of them, not the entry).

    Examples:
        >>> sorted(build_noun_index(['brick, brick wall', 'sky']).items())
        [(('brick',), 'brick'), (('brick', 'wall'), 'brick'), (('sky',), 'sky')]
    """
    index = {}
    for synonyms in Vocabulary.from_source(vocabulary, synonyms='split').texts:
        for synonym in synonyms:
            index.setdefault(tuple(_words(synonym)), synonyms[0])
    return index


def extract_nouns(caption: str, noun_index: Dict[Tuple[str, ...], str]) -> List[Tuple[str, str]]:
    """Nouns of a closed list found in a caption, longest match first, left to right.

    Quoted text (scene text such as ``a sign that says "star"``) is skipped; a plural
    ``-s``/``-es`` matches the singular entry.

    Args:
        caption (str): the sentence.
        noun_index (dict): :func:`build_noun_index` output.

    Returns:
        list[tuple[str, str]]: (noun as in the list, class name), unique nouns in order.

    Examples:
        >>> index = build_noun_index(['star', 'brick, brick wall', 'sign'])
        >>> extract_nouns('two stars in front of a brick wall, a sign that says "star".', index)
        [('star', 'star'), ('brick wall', 'brick'), ('sign', 'sign')]
    """
    words = _words(_QUOTED.sub(' ', caption))
    longest = max((len(k) for k in noun_index), default=0)
    found, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            key = _singular_match(tuple(words[i:i + n]), noun_index)
            if key is not None:
                found.append((' '.join(key), noun_index[key]))
                i += n
                break
        else:
            i += 1
    return list(dict.fromkeys(found))


def _singular_match(words: Tuple[str, ...], noun_index: dict) -> Optional[Tuple[str, ...]]:
    if words in noun_index:
        return words
    last = words[-1]
    for suffix in ('es', 's'):
        if last.endswith(suffix) and len(last) > len(suffix) + 1:
            key = words[:-1] + (last[:-len(suffix)],)
            if key in noun_index:
                return key
    return None


def nltk_nouns(caption: str) -> List[str]:
    """Nouns of a free-form caption by NLTK's tagger (needs ``nltk`` and its tagger data).

    Consecutive ``NN*`` tokens form one noun phrase (``'traffic light'``); quoted text is
    skipped. Lower-cased, unique, in order.
    """
    try:
        import nltk
    except ImportError as err:  # optional dependency
        raise ImportError('free-form noun extraction needs NLTK: pip install nltk, then '
                          "nltk.download('averaged_perceptron_tagger_eng') and 'punkt_tab'"
                          ) from err
    tagged = nltk.pos_tag(nltk.word_tokenize(_QUOTED.sub(' ', caption)))
    nouns, current = [], []
    for word, tag in tagged + [('', '.')]:
        if tag.startswith('NN') and word.isalpha():
            current.append(word.lower())
        elif current:
            nouns.append(' '.join(current))
            current = []
    return list(dict.fromkeys(nouns))


def assign_nouns(region_embeddings: Tensor, valid: Tensor, noun_embeddings: Tensor, *,
                 one_to_one: bool = False) -> Tuple[Tensor, Tensor]:
    """Best valid proposal of each noun by cosine similarity.

    Args:
        region_embeddings (Tensor): (Q, D), L2-normalised over D.
        valid (Tensor): (Q,) bool.
        noun_embeddings (Tensor): (N, D), L2-normalised over D.
        one_to_one (bool): distinct proposals for distinct nouns (Hungarian matching on
            the cosines; nouns left over when N > valid Q get -1). OVSeg takes each noun's
            argmax, so one large region can take every noun. Defaults to False.

    Returns:
        tuple[Tensor, Tensor]: proposal index (N,) long (-1 when none) and its cosine (N,).
    """
    scores = noun_embeddings @ region_embeddings.t()  # (N, Q)
    scores = scores.masked_fill(~valid[None], float('-inf'))
    num = scores.shape[0]
    index = torch.full((num,), -1, dtype=torch.long)
    best = scores.new_full((num,), float('-inf'))
    if scores.shape[1] == 0 or not valid.any():
        return index, best
    if one_to_one:
        from scipy.optimize import linear_sum_assignment
        columns = valid.nonzero()[:, 0]
        rows, cols = linear_sum_assignment(scores[:, columns].cpu().numpy(), maximize=True)
        rows = torch.as_tensor(rows, dtype=torch.long)
        index[rows] = columns.cpu()[torch.as_tensor(cols, dtype=torch.long)]
        best[rows] = scores[rows, index[rows]]
        return index, best
    best, index = scores.max(dim=1)
    return index, best


RegionEmbedder = Callable[[Tensor, Tensor], Tuple[Tensor, Tensor]]
TextEmbedder = Callable[[Sequence[str]], Tensor]


class CaptionRegionMiner:
    """Assign the nouns of an image's captions to its mask proposals.

    Args:
        embed_regions (callable): ``(image (3, H, W) RGB 0-255, masks (Q, H, W))`` ->
            ``(embeddings (Q, D) L2-normalised, valid (Q,) bool)``.
        embed_texts (callable): N nouns -> (N, D), L2-normalised.
        noun_index (dict, optional): :func:`build_noun_index` of a closed noun list; None
            uses :func:`nltk_nouns`. Defaults to None.
        crop_size (int): side of the saved crops. Defaults to 224.
        mask_threshold (float): binarisation threshold of the saved crops (use the
            classifier's). Defaults to 0.4.
        min_score (float, optional): drop pairs whose cosine is lower. Defaults to None.
        one_to_one (bool): distinct proposals for distinct nouns of an image (see
            :func:`assign_nouns`). Defaults to False (OVSeg: each noun's best proposal).
    """

    def __init__(self, *, embed_regions: RegionEmbedder, embed_texts: TextEmbedder,
                 noun_index: Optional[Dict[Tuple[str, ...], str]] = None,
                 crop_size: int = 224, mask_threshold: float = 0.4,
                 min_score: Optional[float] = None, one_to_one: bool = False) -> None:
        self.embed_regions = embed_regions
        self.one_to_one = one_to_one
        self.embed_texts = embed_texts
        self.noun_index = noun_index
        self.crop_size = crop_size
        self.mask_threshold = mask_threshold
        self.min_score = min_score

    @classmethod
    def from_models(cls, mask_classifier, text_classifier, **kwargs) -> 'CaptionRegionMiner':
        """A miner scoring with a :class:`MaskCLIPClassifier` and a ``TextClassifier``.

        Nouns are embedded with ``text_classifier.encode``: the classifier's own
        vocabulary (what the model segments) is left as it is.
        """

        def embed_regions(image: Tensor, masks: Tensor) -> Tuple[Tensor, Tensor]:
            return mask_classifier.embed_regions(image[None], [masks])[0]

        cache: Dict[str, Tensor] = {}  # noun -> (D,); captions repeat their nouns

        def embed_texts(nouns: Sequence[str]) -> Tensor:
            new = [n for n in dict.fromkeys(nouns) if n not in cache]
            if new:
                cache.update(zip(new, text_classifier.encode(Vocabulary(new))))
            return torch.stack([cache[n] for n in nouns])

        kwargs.setdefault('crop_size', mask_classifier.crop_size)
        kwargs.setdefault('mask_threshold', mask_classifier.mask_threshold)
        return cls(embed_regions=embed_regions, embed_texts=embed_texts, **kwargs)

    def nouns(self, captions: Sequence[str]) -> List[Tuple[str, str]]:
        """(noun, category) pairs of all captions, unique, in order."""
        found = []
        for caption in captions:
            if self.noun_index is not None:
                found += extract_nouns(caption, self.noun_index)
            else:
                found += [(noun, noun) for noun in nltk_nouns(caption)]
        return list(dict.fromkeys(found))

    @torch.no_grad()
    def mine(self, image: Tensor, masks: Tensor, captions: Sequence[str]) -> List[dict]:
        """Pairs of one image.

        Args:
            image (Tensor): (3, H, W) RGB 0-255.
            masks (Tensor): (Q, H, W) proposals in [0, 1].
            captions (Sequence[str]): the image's captions.

        Returns:
            list[dict]: per noun with a valid proposal: ``noun``, ``category``, ``index``
            (proposal), ``score`` (cosine), ``crop`` (S, S, 3) uint8 RGB with mean fill and
            ``mask`` (S, S) uint8 {0, 255}.
        """
        nouns = self.nouns(captions)
        if not nouns or masks.shape[0] == 0:
            return []
        regions, valid = self.embed_regions(image, masks)
        texts = self.embed_texts([n for n, _ in nouns])  # (N, D)
        if self.one_to_one:  # synonyms of one category share its proposal
            categories = [c for _, c in nouns]
            unique = list(dict.fromkeys(categories))
            index, _ = assign_nouns(regions, valid, texts[[categories.index(c) for c in unique]],
                                    one_to_one=True)
            index = index[[unique.index(c) for c in categories]]  # (N,)
        else:
            index, _ = assign_nouns(regions, valid, texts)
        score = (texts * regions[index.clamp_min(0)]).sum(dim=-1)  # (N,) cosine to its proposal
        keep = index >= 0
        if self.min_score is not None:
            keep &= score >= self.min_score
        if not keep.any():
            return []
        chosen = sorted(set(index[keep].tolist()))
        crops = crop_masked_regions(image.float(), masks[chosen], size=self.crop_size,
                                    mask_threshold=self.mask_threshold)
        pixels = crops_to_pixels(crops.crops)
        slot = {q: i for i, q in enumerate(chosen)}
        pairs = []
        for (noun, category), q, s, k in zip(nouns, index.tolist(), score.tolist(), keep.tolist()):
            if k:
                i = slot[q]
                pairs.append(dict(noun=noun, category=category, index=q, score=s,
                                  crop=pixels[i].permute(1, 2, 0).numpy(),
                                  mask=(crops.region_masks[i] * 255).to(torch.uint8).numpy()))
        return pairs
