"""Word-level image-text pairs for CLIP pretraining: one sign word cropped, with its spelling.

The SynthWorld CLIP of the quickstart never saw a word and cannot read (zero-shot word retrieval
at chance, ``configs/text_retrieval/README.md``). :class:`RandomWordView` is the word analogue of
the object crops of :class:`~ovseg.datasets.transforms.RandomCaptionView`: a square window around
one readable word of a scene, paired with ``the word "cart"`` and, as a hard negative, a
dictionary word one edit away (``the word "card"``), so that the contrastive loss teaches
spelling, not only the outline of a word.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS

from ...utils import square_window
from .caption_views import store_crops
from .text_kernels import is_readable

WORD_TEMPLATE = 'the word "{}"'


def word_window(polygon: np.ndarray, *, scale: float, shift: Tuple[float, float],
                image_size: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """Square window of side ``scale`` x the polygon's longest edge, around its centre.

    Args:
        polygon (np.ndarray): (P, 2) word corners in pixels.
        scale (float): window side over the longest polygon edge.
        shift (tuple[float, float]): (dx, dy) centre offset as fractions of the side.
        image_size (tuple[int, int]): (H, W).

    Returns:
        tuple[int, int, int, int]: (x1, y1, x2, y2), pushed inside the image
        (:func:`~ovseg.utils.square_window`).

    Examples:
        >>> quad = np.array([[20, 40], [60, 40], [60, 50], [20, 50]], float)
        >>> word_window(quad, scale=1.5, shift=(0, 0), image_size=(100, 100))
        (10, 15, 70, 75)
    """
    polygon = np.asarray(polygon, dtype=np.float64)
    edges = np.linalg.norm(np.roll(polygon, -1, axis=0) - polygon, axis=1)  # (P,)
    half = float(edges.max()) / 2
    cx, cy = (polygon.min(axis=0) + polygon.max(axis=0)) / 2
    return square_window((cx - half, cy - half, cx + half, cy + half), scale=scale, shift=shift,
                         image_size=image_size)


def edit_neighbours(dictionary: Sequence[str]) -> Dict[str, List[str]]:
    """Each dictionary word's neighbours at edit distance 1, in dictionary order.

    Reuses FDP's :func:`~ovseg.models.text_retrieval.distracted_candidates` (rapidfuzz).

    Examples:
        >>> edit_neighbours(['cat', 'cart', 'card', 'dog'])['cart']
        ['cat', 'card']
    """
    # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
    from ...models.text_retrieval.distracted import distracted_candidates
    words = list(dict.fromkeys(dictionary))
    table = {}
    for word in words:
        # long_word=len(word): cutoff 1 at every length; max_candidates: keep them all
        found = distracted_candidates(word, words, max_candidates=len(words) + 1,
                                      long_word=len(word))
        table[word] = [w for w, d in found if d == 1]
    return table


@TRANSFORMS.register_module()
class RandomWordView(BaseTransform):
    """Crop one readable word of a scene and pair it with its spelling and a near miss.

    A readable word (:func:`~ovseg.datasets.transforms.is_readable`: in ``dictionary``, shorter
    polygon side at least ``min_text_size`` px) is drawn uniformly; the view is a square window
    of side ``scale_range`` x the polygon's longest edge (:func:`word_window`), its centre
    shifted by up to ``max_shift`` of the side, never flipped (mirrored text is not the word).
    ``text`` is ``template`` filled with the lower-case word (the rendered case varies:
    ``cart``, ``CART``, ``Cart``). With probability ``negative_prob``, and when the dictionary
    holds one, ``negative_text`` is the template filled with a random dictionary word at edit
    distance 1 (:func:`edit_neighbours`): ``ContrastiveCLIP``'s hard-negative term then asks the
    image to prefer ``the word "cart"`` over ``the word "card"``. Images without a readable word
    return None, so an mmengine dataset draws another index. Random draws use ``np.random`` (seeded
    per sample by the training loop).

    Required keys: ``img`` (H, W, 3), ``words`` (N str), ``polygons`` (N, 4, 2) pixels.
    Modified: ``img`` (S, S', 3) with S, S' <= the window side (less only at the image border),
    ``img_shape``. Added: ``text`` (str), ``negative_text`` (str, maybe), ``word`` (str).

    Args:
        scale_range (tuple[float, float]): window side over the longest polygon edge.
            Defaults to (1.2, 1.6).
        max_shift (float): largest centre offset, fraction of the side. Defaults to 0.1.
        template (str): the text, ``{}`` the word. Defaults to ``'the word "{}"'``.
        negative_prob (float): probability of a ``negative_text``. Defaults to 1.0.
        dictionary (str | Sequence[str]): the readable words and the negatives' source, or
            the name of a word list (:func:`~ovseg.models.text_retrieval.get_word_list`).
            Defaults to ``'synthworld'``, the SynthWorld sign dictionary.
        exclude_words (str | Sequence[str]): words (or a word list's name) removed from
            ``dictionary``: never cropped, never a negative (held out, to measure reading
            of words never trained on). Defaults to ().
        min_text_size (float): shorter polygon side below which a word is unreadable.
            Defaults to 8 (as ``GenerateTextKernels``).
    """

    def __init__(self, *, scale_range: Tuple[float, float] = (1.2, 1.6), max_shift: float = 0.1,
                 template: str = WORD_TEMPLATE, negative_prob: float = 1.0,
                 dictionary: Union[str, Sequence[str]] = 'synthworld',
                 exclude_words: Union[str, Sequence[str]] = (),
                 min_text_size: float = 8) -> None:
        if '{}' not in template:
            raise ValueError(f'RandomWordView template {template!r} has no "{{}}" for the word')
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.text_retrieval.word_lists import lower_case_words
        self.scale_range = tuple(scale_range)
        self.max_shift = max_shift
        self.template = template
        self.negative_prob = negative_prob
        self.dictionary = lower_case_words(dictionary, exclude=exclude_words)
        self.num_excluded = len(lower_case_words(exclude_words))
        self.min_text_size = min_text_size
        self.neighbours = edit_neighbours(self.dictionary)

    def transform(self, results: dict) -> Optional[dict]:
        polygons = np.asarray(results['polygons'], dtype=np.float64).reshape(-1, 4, 2)
        readable = [i for i, (word, polygon) in enumerate(zip(results['words'], polygons))
                    if is_readable(word, polygon, self.dictionary, self.min_text_size)]
        if not readable:
            return None
        index = readable[np.random.randint(len(readable))]
        word = results['words'][index].lower()
        img = results['img']
        x1, y1, x2, y2 = word_window(
            polygons[index], scale=np.random.uniform(*self.scale_range),
            shift=tuple(np.random.uniform(-self.max_shift, self.max_shift, 2)),
            image_size=img.shape[:2])
        results['img'] = np.ascontiguousarray(img[y1:y2, x1:x2])
        results['img_shape'] = results['img'].shape[:2]
        results['word'] = word
        results['text'] = self.template.format(word)
        negatives = self.neighbours.get(word, [])
        if negatives and np.random.rand() < self.negative_prob:
            results['negative_text'] = self.template.format(
                negatives[np.random.randint(len(negatives))])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, '
                f'max_shift={self.max_shift}, template={self.template!r}, '
                f'negative_prob={self.negative_prob}, dictionary={len(self.dictionary)} words '
                f'({self.num_excluded} excluded), min_text_size={self.min_text_size})')


@TRANSFORMS.register_module()
class WordCrops(BaseTransform):
    """Crop every readable word for zero-shot reading: fixed square windows, as ObjectCrops.

    The word analogue of :class:`~ovseg.datasets.transforms.ObjectCrops`: each readable word
    (:func:`~ovseg.datasets.transforms.is_readable` against ``dictionary``) gives a centred
    window of side ``scale`` x its longest polygon edge (:func:`word_window`, no shift),
    resized to ``size``; its label is the word's index in ``dictionary`` (the classes of
    :class:`~ovseg.datasets.SynthWorldWordReadingDataset`). ``ContrastiveCLIP`` then scores the
    crops against every dictionary word, so ``ZeroShotClassificationMetric`` reports how well a
    CLIP reads (configs/text_retrieval/README.md, "can the SynthWorld CLIP read?").

    Required keys: ``img`` (H, W, 3), ``words`` (N str), ``polygons`` (N, 4, 2) pixels.
    Added: ``crops`` (M, S, S, 3) uint8, ``crop_labels`` (M,) int64, ``crop_boxes`` (M, 4)
    float32 windows in pixels, M <= N the readable words.

    Args:
        size (int): side S of the resized crops. Defaults to 96.
        scale (float): window side over the longest polygon edge. Defaults to 1.4, the middle
            of :class:`RandomWordView`'s training range.
        dictionary (str | Sequence[str]): the classes, or a word list's name. Defaults to
            ``'synthworld'``.
        min_text_size (float): shorter polygon side below which a word is unreadable.
            Defaults to 8.
    """

    def __init__(self, *, size: int = 96, scale: float = 1.4,
                 dictionary: Union[str, Sequence[str]] = 'synthworld',
                 min_text_size: float = 8) -> None:
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.text_retrieval.word_lists import get_word_list
        self.size = size
        self.scale = scale
        self.dictionary = {w.lower(): i for i, w in enumerate(get_word_list(dictionary))}
        self.min_text_size = min_text_size

    def transform(self, results: dict) -> dict:
        polygons = np.asarray(results['polygons'], dtype=np.float64).reshape(-1, 4, 2)
        readable = [(word.lower(), polygon) for word, polygon in zip(results['words'], polygons)
                    if is_readable(word, polygon, self.dictionary, self.min_text_size)]
        windows = [word_window(polygon, scale=self.scale, shift=(0.0, 0.0),
                               image_size=results['img'].shape[:2]) for _, polygon in readable]
        return store_crops(results, windows, [self.dictionary[word] for word, _ in readable],
                           size=self.size)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, scale={self.scale}, '
                f'dictionary={len(self.dictionary)} words, min_text_size={self.min_text_size})')
