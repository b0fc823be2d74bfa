"""Render one SynthWorld scene: image, dense labels, objects with attributes, signs, captions.

:func:`render_scene` draws, in order, the stuff background, 0 to ``max_words`` signs (never
overlapping anything), then ``min_objects`` to ``max_objects`` shapes. A later shape may
occlude an earlier one, but every shape keeps at least half of its pixels visible.

A :class:`Scene` holds (S = ``image_size``):

- ``image``: (S, S, 3) uint8 RGB;
- ``semantic``: (S, S) uint8 labels into ``SYNTHWORLD_SEG_CLASSES``, fully labelled (the split
  applies ignore values later, in :mod:`.writer`);
- ``objects``: :class:`SceneObject` in drawing order, each with its visible (S, S) bool mask;
- ``words``: :class:`SceneWord` with a (4, 2) float polygon in image pixels;
- ``captions``: English sentences from :func:`.captions.describe`.

Examples:
    >>> scene = render_scene(np.random.default_rng(0), SceneConfig(image_size=96))
    >>> scene.image.shape, scene.semantic.dtype, len(scene.captions) >= 1
    ((96, 96, 3), dtype('uint8'), True)
"""
from dataclasses import dataclass, replace

import numpy as np

from ...utils import OBJECT_WINDOW_MAX_SHIFT, OBJECT_WINDOW_SCALE_RANGE, square_window
from .captions import describe
from .shapes import MAX_ROTATION, object_frame, shape_mask
from .signs import FONTS, SIGN_STYLES, render_sign, sign_extent
from .textures import render_texture, stuff_layout
from .vocab import (ATTRIBUTE_TYPES, COLOR_RGB, SYNTHWORLD_STUFF, SYNTHWORLD_THINGS,
                    SYNTHWORLD_WORDS)

# Object radius as a fraction of the image side, per size attribute.
RADIUS_RANGE = {'small': (0.075, 0.1), 'large': (0.15, 0.2)}
MIN_IMAGE_SIZE = 64
MAX_OBJECTS = 8
NEGATIVE_DROP = 0.2
_SIGN_LABEL = len(SYNTHWORLD_THINGS) + SYNTHWORLD_STUFF.index('sign')


@dataclass(frozen=True)
class SceneConfig:
    """What one scene may contain.

    Args:
        image_size (int): Side S of the square image in pixels. Defaults to 160.
        min_objects (int): Fewest shapes per image. Defaults to 2.
        max_objects (int): Most shapes per image. Defaults to 5.
        max_words (int): Most signs (one word each) per image. Defaults to 2.

    Raises:
        ValueError: If the image is smaller than ``MIN_IMAGE_SIZE``, the object counts cannot
            fit (more than ``MAX_OBJECTS``, or ``min_objects`` > ``max_objects``).
    """
    image_size: int = 160
    min_objects: int = 2
    max_objects: int = 5
    max_words: int = 2

    def __post_init__(self):
        if self.image_size < MIN_IMAGE_SIZE:
            raise ValueError(f'image_size={self.image_size} is too small: shapes and words '
                             f'need at least {MIN_IMAGE_SIZE} px')
        if not 1 <= self.min_objects <= self.max_objects <= MAX_OBJECTS:
            raise ValueError(f'need 1 <= min_objects <= max_objects <= {MAX_OBJECTS} (more do '
                             f'not fit with half of each visible); got min_objects='
                             f'{self.min_objects}, max_objects={self.max_objects}')
        if not 0 <= self.max_words <= 2:
            raise ValueError(f'max_words must be 0, 1 or 2, got {self.max_words}')


@dataclass
class SceneObject:
    """One shape: category, attribute values (by parent type), annotation and pixels.

    ``negatives`` lists the attributes annotated as absent (the rest are unknown); ``mask`` is
    the visible (S, S) bool mask; ``background`` the stuff name mostly under the shape.
    """
    category: str
    attributes: dict
    negatives: tuple
    mask: np.ndarray
    background: str


@dataclass
class SceneWord:
    """One sign: ``text`` (dictionary word), ``rendered`` (as drawn), ``polygon`` (4, 2)."""
    text: str
    rendered: str
    polygon: np.ndarray
    font: str
    font_size: int
    angle: float
    sign_color: str


@dataclass
class Scene:
    """A rendered image with every annotation SynthWorld writes (see the module docstring)."""
    image: np.ndarray
    semantic: np.ndarray
    objects: list
    words: list
    occlusions: list
    captions: list


def sample_sign_style(rng: np.random.Generator, word: str, *, image_size: int) -> tuple:
    """How a scene's sign shows ``word``: (rendered case, font, font size, angle, style).

    The rendered case is the word, upper or capitalised (0.5 / 0.3 / 0.2), the font one of
    :data:`FONTS`, the angle -25 to 25 degrees, the font size 7.5-11 % of ``image_size`` (at
    least 8 px), the style one of :data:`SIGN_STYLES` (name, sign RGB, text RGB).

    Examples:
        >>> rendered, font, size, angle, style = sample_sign_style(
        ...     np.random.default_rng(0), 'cart', image_size=160)
        >>> rendered.lower(), 12 <= size <= 18, -25 <= angle <= 25, style in SIGN_STYLES
        ('cart', True, True, True)
    """
    rendered = str(rng.choice([word, word.upper(), word.capitalize()], p=[0.5, 0.3, 0.2]))
    font, angle = str(rng.choice(FONTS)), float(round(rng.uniform(-25, 25), 1))
    font_size = max(8, round(image_size * rng.uniform(0.075, 0.11)))
    style = SIGN_STYLES[rng.choice(len(SIGN_STYLES))]
    return rendered, font, font_size, angle, style


def _place_signs(rng, config, image, semantic, taken):
    """Draw up to ``max_words`` non-overlapping signs; return their :class:`SceneWord`."""
    size, words = config.image_size, []
    for _ in range(rng.choice(config.max_words + 1)):
        word = str(rng.choice(SYNTHWORLD_WORDS))
        rendered, font, font_size, angle, style = sample_sign_style(rng, word, image_size=size)
        w, h = sign_extent(rendered, font=font, font_size=font_size, angle=angle)
        if w > size - 2 or h > size - 2:
            continue
        for _ in range(20):
            x, y = int(rng.integers(1, size - w)), int(rng.integers(1, size - h))
            if not taken[max(0, y - 2):y + h + 2, max(0, x - 2):x + w + 2].any():
                break
        else:
            continue
        patch = render_sign(rendered, font=font, font_size=font_size, angle=angle,
                            sign_color=style[1], text_color=style[2])
        ph, pw = patch.mask.shape
        region = (slice(y, y + ph), slice(x, x + pw))
        image[region][patch.mask] = patch.rgb[patch.mask]
        semantic[region][patch.mask] = _SIGN_LABEL
        taken[region] |= patch.mask
        words.append(SceneWord(text=word, rendered=rendered, polygon=patch.polygon + (x, y),
                               font=patch.font, font_size=font_size, angle=angle,
                               sign_color=style[0]))
    return words


def _sample_attributes(rng):
    """One value per attribute type, plus the annotated negatives (20% dropped to unknown)."""
    values = {t: str(rng.choice(v)) for t, v in ATTRIBUTE_TYPES.items()}
    values['fill'] = str(rng.choice(ATTRIBUTE_TYPES['fill'], p=[0.75, 0.25]))
    negatives = tuple(a for t, options in ATTRIBUTE_TYPES.items() for a in options
                      if a != values[t] and rng.random() >= NEGATIVE_DROP)
    return values, negatives


def _paint(rng, image, mask, u, v, attributes, radius):
    """Colour the pixels of ``mask`` with the object's colour and pattern."""
    base = np.clip(np.asarray(COLOR_RGB[attributes['color']]) + rng.integers(-10, 11, 3), 0, 255)
    bright = base @ (0.299, 0.587, 0.114) > 140
    tone = base * 0.5 if bright else base + (255 - base) * 0.5
    period = float(np.clip(radius * 0.45, 4.0, 12.0))
    pattern = attributes['pattern']
    if pattern == 'striped':
        marks = (u % period) < period / 2
    elif pattern == 'dotted':
        du, dv = u % period - period / 2, v % period - period / 2
        marks = du * du + dv * dv < (0.3 * period) ** 2
    elif pattern == 'checkered':
        marks = (np.floor(u / (0.6 * period)) + np.floor(v / (0.6 * period))) % 2 == 0
    else:
        marks = np.zeros(mask.shape, dtype=bool)
    image[mask & ~marks] = base
    image[mask & marks] = tone.astype(np.uint8)


def _place_objects(rng, config, image, semantic, stuff, taken):
    """Draw the shapes; return (objects, occlusion pairs (front index, back index))."""
    size = config.image_size
    owner = np.full((size, size), -1, dtype=np.int16)
    full_area, objects, occlusions = [], [], []
    for _ in range(int(rng.integers(config.min_objects, config.max_objects + 1))):
        category = str(rng.choice(SYNTHWORLD_THINGS))
        attributes, negatives = _sample_attributes(rng)
        low, high = RADIUS_RANGE[attributes['size']]
        limit = MAX_ROTATION.get(category, 180.0)
        for _ in range(40):
            radius = size * rng.uniform(low, high)
            center = tuple(rng.uniform(radius + 1, size - radius - 1, 2))
            u, v = object_frame(size=size, center=center, angle=rng.uniform(-limit, limit))
            stroke = max(3, round(0.15 * radius)) if attributes['fill'] == 'hollow' else 0
            mask = shape_mask(category, u / radius, v / radius, stroke=stroke)
            if (mask & taken).any():
                continue
            hidden = np.bincount(owner[mask & (owner >= 0)], minlength=len(objects))
            visible = np.bincount(owner[owner >= 0], minlength=len(objects))
            if all(visible[j] - hidden[j] >= full_area[j] / 2 for j in range(len(objects))):
                break
        else:
            continue
        occlusions += [(len(objects), int(j)) for j in np.flatnonzero(hidden)]
        _paint(rng, image, mask, u, v, attributes, radius)
        semantic[mask] = SYNTHWORLD_THINGS.index(category)
        owner[mask] = len(objects)
        full_area.append(int(mask.sum()))
        background = np.bincount(stuff[mask], minlength=len(SYNTHWORLD_STUFF)).argmax()
        objects.append(SceneObject(category=category, attributes=attributes, negatives=negatives,
                                   mask=mask, background=SYNTHWORLD_STUFF[background]))
    for k, obj in enumerate(objects):
        obj.mask = owner == k
    return objects, occlusions


def render_scene(rng: np.random.Generator, config: SceneConfig) -> Scene:
    """Render one scene.

    Args:
        rng (np.random.Generator): The only source of randomness; same state, same scene.
        config (SceneConfig): Image size and object/word counts.

    Returns:
        Scene: Image, labels, objects, words and captions (see the module docstring).

    Raises:
        RuntimeError: If ``min_objects`` shapes never fit (not seen with the allowed settings).
    """
    size = config.image_size
    for _ in range(100):
        stuff = stuff_layout(rng, size=size)
        image = np.empty((size, size, 3), dtype=np.uint8)
        for index in np.unique(stuff):
            region = stuff == index
            image[region] = render_texture(SYNTHWORLD_STUFF[index], rng, size=size)[region]
        semantic = (stuff + len(SYNTHWORLD_THINGS)).astype(np.uint8)
        taken = np.zeros((size, size), dtype=bool)
        words = _place_signs(rng, config, image, semantic, taken)
        objects, occlusions = _place_objects(rng, config, image, semantic, stuff, taken)
        if len(objects) >= config.min_objects:
            break
    else:
        raise RuntimeError(f'could not place {config.min_objects} objects in 100 layouts; '
                           'lower min_objects or raise image_size')
    return Scene(image=image, semantic=semantic, objects=objects, words=words,
                 occlusions=occlusions,
                 captions=describe(objects=objects, words=words, occlusions=occlusions))


def render_closeup(rng: np.random.Generator, config: SceneConfig) -> Scene:
    """Render a close-up: a square window around one object of a full scene, described alone.

    The window is what an object crop looks like (the val crops of the zero-shot metric, the
    object views of CLIP training): the object at the scene's resolution, its neighbours cut at
    the borders. Its captions describe the chosen object only, as alt-text describes the
    subject of a photo. W is the window side in pixels, 1.1-1.6x the object's box
    (``OBJECT_WINDOW_SCALE_RANGE``), smaller than S where the box is.

    Args:
        rng (np.random.Generator): The only source of randomness.
        config (SceneConfig): The full scene's settings.

    Returns:
        Scene: (W, W, 3) image and (W, W) labels of the window, ``objects`` the chosen one
        (mask cropped), no words, captions of the object alone.
    """
    scene = render_scene(rng, config)
    obj = scene.objects[int(rng.integers(len(scene.objects)))]
    ys, xs = np.nonzero(obj.mask)
    x1, y1, x2, y2 = square_window(
        (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1),
        scale=rng.uniform(*OBJECT_WINDOW_SCALE_RANGE),
        shift=tuple(rng.uniform(-OBJECT_WINDOW_MAX_SHIFT, OBJECT_WINDOW_MAX_SHIFT, 2)),
        image_size=scene.semantic.shape)
    window = (slice(y1, y2), slice(x1, x2))
    subject = replace(obj, mask=obj.mask[window])
    return Scene(image=np.ascontiguousarray(scene.image[window]), semantic=scene.semantic[window],
                 objects=[subject], words=[], occlusions=[],
                 captions=describe(objects=[subject], words=[], occlusions=[]))
