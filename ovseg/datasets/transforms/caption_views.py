"""Image-text views for CLIP pretraining: whole images with captions, object crops with phrases.

Object crops are square windows around a box (so shapes keep their aspect ratio), pushed
inside the image when they would cross its border. A crop's text is the phrase that names
its object in the image's own captions, found by the class name: caption supervision,
never the annotation's attributes.
"""
import re
from typing import Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS

from ...utils import (OBJECT_WINDOW_MAX_SHIFT, OBJECT_WINDOW_SCALE_RANGE, indefinite_article,
                      square_window)
from ..synthworld.captions import join_items

_PHRASE_BREAKS = re.compile(
    r'[,.;:]| and | left of | right of | above | below | behind | in front of | next to | '
    r'on | in | over | under | with ')


def noun_phrases(caption: str) -> List[str]:
    """Article-initiated phrases of a caption, cut at punctuation, "and" and prepositions.

    Needs no vocabulary: every ``'a/an ...'`` chunk between breaks is a phrase.

    Examples:
        >>> noun_phrases('a large red star left of a small blue ring on grass, next to a sign.')
        ['a large red star', 'a small blue ring', 'a sign']
    """
    chunks = (chunk.strip() for chunk in _PHRASE_BREAKS.split(caption))
    return [c for c in chunks if c.lower().startswith(('a ', 'an '))]


def phrases_naming(captions: Sequence[str], name: str) -> List[str]:
    """The noun phrases of ``captions`` (:func:`noun_phrases`) whose head word is ``name``.

    Quoted words (scene text such as ``'a sign that says "star"'``) do not count.

    Args:
        captions (Sequence[str]): sentences.
        name (str): class name, possibly several words.

    Returns:
        list[str]: the phrases in order of appearance, duplicates removed.

    Examples:
        >>> phrases_naming(['a large red striped star left of a blue ring.',
        ...                 'two shapes: a blue ring and a red star.'], 'star')
        ['a large red striped star', 'a red star']
    """
    suffix = ' ' + name.lower()
    found = [p for c in captions for p in noun_phrases(c) if p.lower().endswith(suffix)]
    return list(dict.fromkeys(found))


def drop_words(text: str, words: Sequence[str]) -> str:
    """Remove ``words`` from ``text`` and fix the articles before the next word.

    Examples:
        >>> drop_words('an orange star left of a blue ring.', ['orange', 'blue'])
        'a star left of a ring.'
    """
    drop = {w.lower() for w in words}
    tokens = [t for t in text.split(' ') if t.lower().strip('.,:;') not in drop]
    for i, token in enumerate(tokens[:-1]):
        if token.lower() in ('a', 'an'):
            article = indefinite_article(tokens[i + 1])
            tokens[i] = article.capitalize() if token[0].isupper() else article
    return ' '.join(tokens)


def head_nouns(captions: Sequence[str]) -> List[str]:
    """The distinct plain-word heads of the captions' noun phrases, in order of appearance
    (quoted scene text such as ``'a sign that says "find"'`` has none)."""
    heads = (p.split(' ')[-1] for c in captions for p in noun_phrases(c))
    return list(dict.fromkeys(h for h in heads if h.isalpha()))


def noun_list(captions: Sequence[str]) -> Optional[str]:
    """The distinct head nouns of the captions' phrases as one list, ``'a star and a ring'``.

    Only the caption words are used (no vocabulary, no boxes); phrases whose last word is not
    a plain word (quoted scene text) are skipped. Returns None when no phrase is left.

    Examples:
        >>> noun_list(['a large red star left of a blue ring.',
        ...            'three shapes: a blue ring, a red star and an orange moon.'])
        'a star, a ring and a moon'
    """
    heads = head_nouns(captions)
    return join_items([f'{indefinite_article(h)} {h}' for h in heads]) if heads else None


def swap_head_noun(phrase: str, name: str, heads: Sequence[str]) -> Optional[str]:
    """``phrase`` (ending in ``name``) with ``name`` replaced by another of ``heads``.

    A counterfactual caption as NegCLIP's hard negatives (Yuksekgonul et al., "When and why
    vision-language models behave like bags-of-words", ICLR 2023, Sec. 4): same words, another
    object noun. Returns None when ``heads`` offers no other noun.

    Examples:
        >>> swap_head_noun('a large red star', 'star', ['star', 'ring'])
        'a large red ring'
    """
    others = sorted({h for h in heads if h.lower() != name.lower()})
    if not others:
        return None
    other = others[np.random.randint(len(others))]
    words = phrase[:len(phrase) - len(name)].split(' ')
    if len(words) == 2 and words[0].lower() in ('a', 'an'):  # 'a star' -> 'an arrow'
        words[0] = indefinite_article(other)
    return ' '.join(words) + other


def swap_attribute_word(text: str, attribute_types: Dict[str, Sequence[str]],
                        implicit: Sequence[str] = ()) -> Optional[str]:
    """``text`` with one of its attribute words replaced by another value of the same type.

    A hard negative that differs from ``text`` in one attribute (NegCLIP's counterfactual
    captions, Yuksekgonul et al., ICLR 2023, Sec. 4, on attributes instead of nouns). A value
    in ``implicit`` is one the captions never write (SynthWorld omits ``'plain'`` and
    ``'filled'``): swapping to it drops the word. Articles are fixed as :func:`drop_words`
    fixes them. Returns None when ``text`` holds no attribute word with another value.

    Examples:
        >>> swap_attribute_word('a large red star', {'size': ('small', 'large')})
        'a small red star'
        >>> swap_attribute_word('a hollow red star', {'fill': ('filled', 'hollow')},
        ...                     implicit=('filled',))
        'a red star'
    """
    parent = {w: t for t, words in attribute_types.items() for w in words}
    tokens = text.split(' ')
    found = [i for i, t in enumerate(tokens)
             if len(attribute_types.get(parent.get(t.lower().strip('.,:;')), ())) > 1]
    if not found:
        return None
    index = found[np.random.randint(len(found))]
    word = tokens[index].lower().strip('.,:;')
    others = [w for w in attribute_types[parent[word]] if w != word]
    other = others[np.random.randint(len(others))]
    if other in implicit:  # only this token: a caption may name 'red' for two objects
        del tokens[index]
    else:
        tokens[index] = tokens[index].lower().replace(word, other)
    return drop_words(' '.join(tokens), [])  # fixes 'a orange star' -> 'an orange star'


@TRANSFORMS.register_module()
class RandomCaptionView(BaseTransform):
    """Pick one training pair: the whole image with a caption, or an object crop with its phrase.

    With probability ``object_prob`` (when some labelled object is named in the captions) a
    random labelled object is cropped with a random square window (side ``scale_range`` x
    its box, centre jittered by up to ``max_shift`` of the side, flipped left-right with
    ``flip_prob``) and paired with a phrase of the captions that names its class. When the
    image holds several objects of that class the phrase cannot be told apart, so the bare
    ``'a <class>'`` is used. Otherwise the whole image is paired with a random caption
    (never flipped: captions say "left of"), or with probability ``noun_list_prob`` with the
    bare list of the nouns its captions name (``'a star, a ring and a moon'``: only the
    shapes tell such texts apart, unlabelled ones included), or with probability
    ``phrase_prob`` with one noun phrase of its captions (:func:`noun_phrases`; weak,
    image-level supervision of every object the captions name, labelled or not). An erased
    view (probability ``erase_prob`` among the non-object views) inpaints every labelled
    object's box away and pairs the rest of the image with a caption phrase that names none
    of their classes, so objects no box covers (unlabelled classes) get phrase supervision of
    their own, still only from the captions. With probability ``name_prob`` an object view's
    phrase is cut to its article and head noun (``'a large red star'`` -> ``'a star'``), so
    that its only match in the batch is the shape. With probability ``negative_prob`` an object view
    also gets ``negative_text``: its text with the class noun swapped for another noun that
    heads a phrase of the same image's captions (:func:`swap_head_noun`), a hard negative
    that only the shape tells apart. With probability ``gray_prob`` the
    chosen view is turned to grey and its colour words are dropped from the text, so that
    matching it needs shape, pattern, fill and size rather than colour alone. With
    probability ``attribute_negative_prob`` a view without a ``negative_text`` gets one
    that differs from its text in one attribute word (:func:`swap_attribute_word`: another
    colour, pattern, size or fill), a hard negative that only that attribute tells apart.

    Required keys: ``img`` (H, W, 3), ``captions`` (list[str]); optional ``instances``
    (``bbox`` x1 y1 x2 y2, ``bbox_label``). Modified: ``img``, ``img_shape``.
    Added: ``text`` (str).

    Args:
        classes (Sequence[str], optional): class name of each ``bbox_label`` (first
            comma-separated synonym is used). Defaults to None: the SynthWorld things.
        object_prob (float): probability of an object view. Defaults to 0.5.
        scale_range (tuple[float, float]): window side over the box side. Defaults to
            (1.1, 1.6).
        max_shift (float): largest centre offset, fraction of the side. Defaults to 0.1.
        flip_prob (float): left-right flip probability of object views. Defaults to 0.5.
        phrase_prob (float): probability that a whole-image view gets one noun phrase
            instead of a caption. Defaults to 0.
        erase_prob (float): probability that a non-object view is an erased view.
            Defaults to 0.
        name_prob (float): probability that an object view's text is the bare
            ``'a <class>'``. Defaults to 0.
        noun_list_prob (float): probability that a whole-image view's text is the list
            of the head nouns its captions name (:func:`noun_list`). Defaults to 0.
        negative_prob (float): probability that an object view gets a
            ``negative_text``. Defaults to 0.
        gray_prob (float): probability of a grey view with colour words dropped.
            Defaults to 0.
        color_words (Sequence[str], optional): the words dropped from grey views' texts.
            Defaults to None: the SynthWorld colour attributes.
        attribute_negative_prob (float): probability that a view whose text holds an
            attribute word gets an attribute-swapped ``negative_text``. Defaults to 0.
        attribute_types (dict[str, Sequence[str]], optional): the attribute words by type
            for those swaps. Defaults to None: SynthWorld's ``ATTRIBUTE_TYPES``.
        implicit_attributes (Sequence[str]): values the captions never write (a swap to
            one drops the word). Defaults to SynthWorld's ``('plain', 'filled')``.
    """

    def __init__(self, *, classes: Optional[Sequence[str]] = None, object_prob: float = 0.5,
                 scale_range: Tuple[float, float] = OBJECT_WINDOW_SCALE_RANGE,
                 max_shift: float = OBJECT_WINDOW_MAX_SHIFT,
                 flip_prob: float = 0.5, phrase_prob: float = 0.0, erase_prob: float = 0.0,
                 name_prob: float = 0.0, noun_list_prob: float = 0.0,
                 negative_prob: float = 0.0, gray_prob: float = 0.0,
                 color_words: Optional[Sequence[str]] = None,
                 attribute_negative_prob: float = 0.0,
                 attribute_types: Optional[Dict[str, Sequence[str]]] = None,
                 implicit_attributes: Sequence[str] = ('plain', 'filled')) -> None:
        if attribute_types is None:
            from ..synthworld import ATTRIBUTE_TYPES
            attribute_types = ATTRIBUTE_TYPES
        self.attribute_types = {t: tuple(words) for t, words in attribute_types.items()}
        self.implicit_attributes = tuple(implicit_attributes)
        self.attribute_negative_prob = attribute_negative_prob
        if classes is None:
            from ..synthworld import SYNTHWORLD_THINGS
            classes = SYNTHWORLD_THINGS
        if color_words is None:
            from ..synthworld import ATTRIBUTE_TYPES
            color_words = ATTRIBUTE_TYPES['color']
        self.color_words = tuple(color_words)
        self.phrase_prob = phrase_prob
        self.erase_prob = erase_prob
        self.name_prob = name_prob
        self.noun_list_prob = noun_list_prob
        self.negative_prob = negative_prob
        self.gray_prob = gray_prob
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.clip.vocabulary import display_name
        self.names = [display_name(c) for c in classes]
        self.object_prob = object_prob
        self.scale_range = tuple(scale_range)
        self.max_shift = max_shift
        self.flip_prob = flip_prob

    def _object_candidates(self, results: dict) -> List[Tuple[Sequence[float], List[str], str]]:
        """(box, phrases, class) of every labelled object whose class the captions name."""
        instances = results.get('instances', [])
        labels = [inst['bbox_label'] for inst in instances]
        candidates = []
        for inst in instances:
            name = self.names[inst['bbox_label']]
            phrases = phrases_naming(results['captions'], name)
            if not phrases:
                continue
            if labels.count(inst['bbox_label']) > 1:
                phrases = [f'{indefinite_article(name)} {name}']
            candidates.append((inst['bbox'], phrases, name))
        return candidates

    def _object_view(self, results: dict, box: Sequence[float]) -> np.ndarray:
        """Random square crop around ``box``, maybe flipped."""
        img = results['img']
        x1, y1, x2, y2 = square_window(
            box, scale=np.random.uniform(*self.scale_range),
            shift=tuple(np.random.uniform(-self.max_shift, self.max_shift, 2)),
            image_size=img.shape[:2])
        img = img[y1:y2, x1:x2]
        if np.random.rand() < self.flip_prob:
            img = mmcv.imflip(img, direction='horizontal')
        return np.ascontiguousarray(img)

    def _erased_view(self, results: dict) -> Optional[Tuple[np.ndarray, List[str]]]:
        """The image with every labelled object inpainted away, and the caption phrases
        that name none of their classes (None if nothing is labelled or left to name)."""
        instances = results.get('instances', [])
        labelled = {' ' + self.names[inst['bbox_label']].lower() for inst in instances}
        phrases = [p for c in results['captions'] for p in noun_phrases(c)
                   if not p.lower().endswith(tuple(labelled))]
        if not instances or not phrases:
            return None
        import cv2
        img = results['img']
        mask = np.zeros(img.shape[:2], np.uint8)
        for inst in instances:
            x1, y1, x2, y2 = (int(round(v)) for v in inst['bbox'])
            mask[max(y1 - 2, 0):y2 + 2, max(x1 - 2, 0):x2 + 2] = 255
        return cv2.inpaint(img, mask, 3, cv2.INPAINT_TELEA), list(dict.fromkeys(phrases))

    def transform(self, results: dict) -> dict:
        candidates = self._object_candidates(results)
        name = None  # the class of an object view
        erased = self._erased_view(results) if self.erase_prob else None
        if candidates and np.random.rand() < self.object_prob:
            box, texts, name = candidates[np.random.randint(len(candidates))]
            results['img'] = self._object_view(results, box)
            if np.random.rand() < self.name_prob:
                texts = [f'{indefinite_article(name)} {name}']
        elif erased is not None and np.random.rand() < self.erase_prob:
            results['img'], texts = erased
        else:
            texts = results['captions']
            nouns = noun_list(texts) if self.noun_list_prob else None
            if nouns is not None and np.random.rand() < self.noun_list_prob:
                texts = [nouns]
            elif np.random.rand() < self.phrase_prob:
                texts = [p for c in texts for p in noun_phrases(c)] or texts
        results['text'] = texts[np.random.randint(len(texts))]
        if name is not None and np.random.rand() < self.negative_prob:
            negative = swap_head_noun(results['text'], name, head_nouns(results['captions']))
            if negative is not None:
                results['negative_text'] = negative
        if 'negative_text' not in results and np.random.rand() < self.attribute_negative_prob:
            negative = swap_attribute_word(results['text'], self.attribute_types,
                                           self.implicit_attributes)
            if negative is not None:
                results['negative_text'] = negative
        if np.random.rand() < self.gray_prob:
            results['img'] = mmcv.gray2bgr(mmcv.bgr2gray(results['img']))
            results['text'] = drop_words(results['text'], self.color_words)
            if 'negative_text' in results:
                results['negative_text'] = drop_words(results['negative_text'], self.color_words)
                if results['negative_text'] == results['text']:  # it differed in colour only
                    del results['negative_text']
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(object_prob={self.object_prob}, '
                f'scale_range={self.scale_range}, max_shift={self.max_shift}, '
                f'flip_prob={self.flip_prob}, phrase_prob={self.phrase_prob}, '
                f'erase_prob={self.erase_prob}, name_prob={self.name_prob}, '
                f'noun_list_prob={self.noun_list_prob}, '
                f'negative_prob={self.negative_prob}, gray_prob={self.gray_prob}, '
                f'attribute_negative_prob={self.attribute_negative_prob})')


def store_crops(results: dict, windows: Sequence[Tuple[int, int, int, int]],
                labels: Sequence[int], *, size: int, interpolation: str = 'bilinear') -> dict:
    """Crop each (x1, y1, x2, y2) pixel window of ``results['img']`` and resize it to S x S.

    Adds ``crops`` (N, S, S, 3) uint8, ``crop_labels`` (N,) int64 (``labels``) and
    ``crop_boxes`` (N, 4) float32 (``windows``), as :class:`ObjectCrops` and
    :class:`~ovseg.datasets.transforms.WordCrops` hand them to :class:`PackCaptionInputs`.
    """
    img = results['img']
    crops = [mmcv.imresize(img[y1:y2, x1:x2], (size, size), interpolation=interpolation)
             for x1, y1, x2, y2 in windows]
    results['crops'] = np.stack(crops) if crops else np.zeros((0, size, size, 3), np.uint8)
    results['crop_labels'] = np.asarray(labels, dtype=np.int64)
    results['crop_boxes'] = np.asarray(windows, dtype=np.float32).reshape(-1, 4)
    return results


@TRANSFORMS.register_module()
class ObjectCrops(BaseTransform):
    """Crop every labelled object for zero-shot classification: fixed square windows.

    Required keys: ``img`` (H, W, 3), ``instances`` (``bbox`` x1 y1 x2 y2, ``bbox_label``).
    Added: ``crops`` (N, S, S, 3) uint8, ``crop_labels`` (N,) int64, ``crop_boxes`` (N, 4)
    float32 windows in pixels.

    Args:
        size (int): side S of the resized crops. Defaults to 96.
        scale (float): window side over the box's longer side. Defaults to 1.2.
        interpolation (str): ``mmcv.imresize`` interpolation. Defaults to ``'bilinear'``.
    """

    def __init__(self, *, size: int = 96, scale: float = 1.2,
                 interpolation: str = 'bilinear') -> None:
        self.size = size
        self.scale = scale
        self.interpolation = interpolation

    def transform(self, results: dict) -> dict:
        instances = results.get('instances', [])
        windows = [square_window(inst['bbox'], scale=self.scale, shift=(0.0, 0.0),
                                 image_size=results['img'].shape[:2]) for inst in instances]
        return store_crops(results, windows, [inst['bbox_label'] for inst in instances],
                           size=self.size, interpolation=self.interpolation)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, scale={self.scale})'
