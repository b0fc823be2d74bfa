"""SynthWorld vocabulary: categories, attributes, sign words and the fixed open-vocabulary split.

Everything here is a constant (tuples, dicts of str) and does not depend on the generation seed,
so every SynthWorld copy shares one label space:

- semantic label ``i`` (uint8 in ``ann_dir``) is ``SYNTHWORLD_SEG_CLASSES[i]``; 255 is ignore;
- COCO ``category_id`` of thing ``SYNTHWORLD_THINGS[i]`` is ``i + 1``;
- attribute id ``j`` in the attribute JSON is ``SYNTHWORLD_ATTRIBUTES[j]``.

Examples:
    >>> len(SYNTHWORLD_THINGS), len(SYNTHWORLD_STUFF), len(SYNTHWORLD_SEG_CLASSES)
    (14, 7, 21)
    >>> SYNTHWORLD_SYNONYMS['circle']
    'circle, round disc, disk'
    >>> seg_metainfo()['seen'][SYNTHWORLD_SEG_CLASSES.index('heart')]
    False
"""
import colorsys
import math

# Thing categories (shapes), each a tuple of synonyms; the first is the class name.
_THING_SYNONYMS = (
    ('circle', 'round disc', 'disk'),
    ('square', 'box'),
    ('triangle', 'trigon'),
    ('star', 'five-pointed star'),
    ('heart', 'love heart'),
    ('ring', 'annulus', 'donut'),
    ('cross', 'plus sign'),
    ('hexagon', 'six-sided polygon'),
    ('arrow', 'pointer'),
    ('moon', 'crescent', 'crescent moon'),
    ('diamond', 'rhombus', 'lozenge'),
    ('pentagon', 'five-sided polygon'),
    ('trapezoid', 'trapezium'),
    ('teardrop', 'droplet', 'raindrop'),
)
# Stuff: five background textures, then the flat signboards that carry scene text.
_STUFF_SYNONYMS = (
    ('sky', 'clear sky'),
    ('grass', 'lawn', 'meadow'),
    ('brick', 'brick wall'),
    ('wood', 'wooden planks'),
    ('water', 'sea'),
    ('sand', 'beach sand'),
    ('sign', 'signboard', 'placard'),
)

SYNTHWORLD_THINGS = tuple(s[0] for s in _THING_SYNONYMS)
SYNTHWORLD_STUFF = tuple(s[0] for s in _STUFF_SYNONYMS)
SYNTHWORLD_BACKGROUNDS = SYNTHWORLD_STUFF[:-1]
SYNTHWORLD_SEG_CLASSES = SYNTHWORLD_THINGS + SYNTHWORLD_STUFF
# class name -> its synonyms, and the comma-separated entry of a vocabulary ('circle, round disc')
SYNTHWORLD_SYNONYM_LISTS = {s[0]: s for s in _THING_SYNONYMS + _STUFF_SYNONYMS}
SYNTHWORLD_SYNONYMS = {c: ', '.join(s) for c, s in SYNTHWORLD_SYNONYM_LISTS.items()}

# Attribute values grouped by parent type (VAW calls the parent an attribute "type").
ATTRIBUTE_TYPES = {
    'color': ('red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink', 'white',
              'black', 'brown', 'gray'),
    'pattern': ('plain', 'striped', 'dotted', 'checkered'),
    'size': ('small', 'large'),
    'fill': ('filled', 'hollow'),
}
SYNTHWORLD_ATTRIBUTES = tuple(v for values in ATTRIBUTE_TYPES.values() for v in values)
ATTRIBUTE_PARENT = {v: t for t, values in ATTRIBUTE_TYPES.items() for v in values}

# Base RGB of each colour attribute (objects jitter it by a few levels).
COLOR_RGB = {
    'red': (215, 30, 35), 'orange': (245, 135, 20), 'yellow': (245, 215, 35),
    'green': (35, 165, 55), 'cyan': (40, 205, 215), 'blue': (35, 75, 215),
    'purple': (125, 45, 165), 'pink': (250, 135, 185), 'white': (245, 245, 245),
    'black': (22, 22, 22), 'brown': (120, 70, 30), 'gray': (128, 128, 128),
}

# The open-vocabulary split. Fixed, never seed-dependent: unseen things and attributes carry no
# label in any training annotation, but they are rendered and named in training captions.
UNSEEN_THINGS = ('heart', 'arrow', 'moon', 'pentagon')
UNSEEN_ATTRIBUTES = ('pink', 'cyan', 'checkered')

# Sign words: content and function words with near-spelling groups (cat/cart/cast).
SYNTHWORLD_WORDS = tuple("""
cat cart cast card care core corn cord cold gold bold bolt boat coat goat moat meat heat seat
sent rent tent test text next nest best bust must mist list lost most post past pest
sun run fun bun bus bug big bag bat bet bit bite kite kit kid lid lip tip top tap map mat
man men pen pin pan fan fin fine line lime time tame game gate late lake like bike hike hide
ride rice nice mice dice dine wine wind kind find mind mild wild will well wall ball bell belt
melt milk silk salt stop shop ship slip slap snap step stem open close exit enter push pull
sale food cafe park bank hotel taxi train rain brain grain plain plane place space spice slice
star stair moon mood ring king wing sing song long heart arrow house horse mouse route
road read real seal sea see tree three free fire hire here there where when then than
the and or but if of to in on at by for with from up down out over under not no yes
this that these those he she it we they you my your his her our their is are was were
be been has have had do does did can may
""".split())


def _palette(num: int) -> list:
    """Return ``num`` RGB colours: evenly spaced hues, neighbouring hues in different brightness."""
    step = next(k for k in range(num // 3, num) if math.gcd(k, num) == 1 and k % 3)
    colors = []
    for i in range(num):
        r, g, b = colorsys.hsv_to_rgb(i * step % num / num, 0.8, (0.95, 0.7, 0.5)[i % 3])
        colors.append([round(255 * r), round(255 * g), round(255 * b)])
    return colors


def seg_metainfo() -> dict:
    """Metainfo of the semantic label space (things then stuff).

    Returns:
        dict: ``classes`` (one name each), ``class_synonyms`` (comma-separated strings),
        ``palette`` (RGB lists), ``seen`` (bool per class), ``thing_classes``, ``stuff_classes``.
    """
    return dict(
        classes=SYNTHWORLD_SEG_CLASSES,
        class_synonyms=tuple(SYNTHWORLD_SYNONYMS[c] for c in SYNTHWORLD_SEG_CLASSES),
        palette=_palette(len(SYNTHWORLD_SEG_CLASSES)),
        seen=tuple(c not in UNSEEN_THINGS for c in SYNTHWORLD_SEG_CLASSES),
        thing_classes=SYNTHWORLD_THINGS,
        stuff_classes=SYNTHWORLD_STUFF)


def thing_metainfo() -> dict:
    """Metainfo of the thing (detection) label space.

    Returns:
        dict: ``classes``, ``class_synonyms``, ``palette``, ``seen``, aligned with the things;
        ``base_classes`` / ``novel_classes`` (the seen / unseen names: the keys of mmdet's
        ``OVCocoMetric``, which reports AP50 base / novel).
    """
    return dict(
        classes=SYNTHWORLD_THINGS,
        class_synonyms=tuple(SYNTHWORLD_SYNONYMS[c] for c in SYNTHWORLD_THINGS),
        palette=[tuple(c) for c in _palette(len(SYNTHWORLD_SEG_CLASSES))[:len(SYNTHWORLD_THINGS)]],
        seen=tuple(c not in UNSEEN_THINGS for c in SYNTHWORLD_THINGS),
        base_classes=tuple(c for c in SYNTHWORLD_THINGS if c not in UNSEEN_THINGS),
        novel_classes=tuple(c for c in SYNTHWORLD_THINGS if c in UNSEEN_THINGS))


def attribute_metainfo() -> dict:
    """Metainfo of the attribute label space.

    Returns:
        dict: ``attributes`` (names), ``attribute_types`` (parent type per attribute),
        ``attribute_seen`` (bool per attribute), plus :func:`thing_metainfo` keys.
    """
    return dict(
        thing_metainfo(),
        attributes=SYNTHWORLD_ATTRIBUTES,
        attribute_types=tuple(ATTRIBUTE_PARENT[a] for a in SYNTHWORLD_ATTRIBUTES),
        attribute_seen=tuple(a not in UNSEEN_ATTRIBUTES for a in SYNTHWORLD_ATTRIBUTES))
