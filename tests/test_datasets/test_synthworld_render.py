"""SynthWorld drawing: vocabulary, shapes, signs and one rendered scene."""
import numpy as np
import pytest

from ovseg.datasets.synthworld import (ATTRIBUTE_TYPES, SYNTHWORLD_BACKGROUNDS,
                                       SYNTHWORLD_SEG_CLASSES, SYNTHWORLD_THINGS,
                                       SYNTHWORLD_WORDS, UNSEEN_ATTRIBUTES, UNSEEN_THINGS,
                                       SceneConfig, render_closeup, render_scene)
from ovseg.datasets.synthworld.shapes import SHAPES, object_frame, shape_mask
from ovseg.datasets.synthworld.signs import FONTS, render_sign


def test_vocabulary_sizes():
    assert len(SYNTHWORLD_THINGS) >= 12 and len(SYNTHWORLD_BACKGROUNDS) >= 3
    assert len(ATTRIBUTE_TYPES['color']) >= 8
    assert len(set(SYNTHWORLD_WORDS)) == len(SYNTHWORLD_WORDS) >= 200
    assert {'cat', 'cart', 'cast', 'the', 'of'} <= set(SYNTHWORLD_WORDS)
    assert set(UNSEEN_THINGS) < set(SYNTHWORLD_THINGS)
    assert set(UNSEEN_ATTRIBUTES) < set(ATTRIBUTE_TYPES['color'] + ATTRIBUTE_TYPES['pattern'])
    assert set(SHAPES) == set(SYNTHWORLD_THINGS)


@pytest.mark.parametrize('name', SYNTHWORLD_THINGS)
def test_shape_masks(name):
    u, v = object_frame(size=64, center=(32.0, 32.0), angle=25.0)
    filled = shape_mask(name, u / 20, v / 20)
    hollow = shape_mask(name, u / 20, v / 20, stroke=3)
    assert filled.dtype == bool and 100 < filled.sum() <= np.pi * 20 ** 2 + 20 * 4
    assert hollow.any() and not (hollow & ~filled).any() and hollow.sum() < filled.sum()
    assert not filled[(u ** 2 + v ** 2) > 21 ** 2].any()  # stays inside the radius


@pytest.mark.parametrize('font', FONTS)
def test_sign_polygon_covers_the_letters(font):
    patch = render_sign('Cart', font=font, font_size=16, angle=20.0,
                        sign_color=(255, 255, 255), text_color=(0, 0, 0))
    h, w = patch.mask.shape
    assert patch.rgb.shape == (h, w, 3)
    assert ((patch.polygon >= 0) & (patch.polygon <= (w, h))).all()
    ink = np.argwhere(patch.rgb.sum(-1) < 300)[:, ::-1] + 0.5  # (x, y) pixel centres
    edges = np.roll(patch.polygon, -1, axis=0) - patch.polygon
    rel = ink[:, None] - patch.polygon[None]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    inside = (cross >= -1.5 * np.linalg.norm(edges, axis=1)).all(1)  # 1.5 px tolerance
    assert len(ink) > 20 and inside.mean() > 0.98


def test_render_scene_consistent():
    config = SceneConfig(image_size=96, min_objects=3, max_objects=5)
    scene = render_scene(np.random.default_rng(3), config)
    assert scene.image.shape == (96, 96, 3) and scene.image.dtype == np.uint8
    assert 3 <= len(scene.objects) <= 5
    masks = np.stack([o.mask for o in scene.objects])
    assert (masks.sum(0) <= 1).all()
    for obj in scene.objects:
        assert obj.mask.any()
        assert (scene.semantic[obj.mask] == SYNTHWORLD_THINGS.index(obj.category)).all()
        assert set(obj.attributes) == set(ATTRIBUTE_TYPES)
        assert not set(obj.negatives) & set(obj.attributes.values())
    things = scene.semantic < len(SYNTHWORLD_THINGS)
    assert np.array_equal(things, masks.any(0))
    assert scene.semantic.max() < len(SYNTHWORLD_SEG_CLASSES)
    assert scene.captions and all(o.category in ' '.join(scene.captions) for o in scene.objects)
    for word in scene.words:
        assert ((word.polygon >= 0) & (word.polygon <= 96)).all()
        assert f'"{word.text}"' in scene.captions[0]


def test_render_closeup_frames_one_object_of_a_scene():
    config = SceneConfig(image_size=96)
    for seed in range(8):
        closeup = render_closeup(np.random.default_rng(seed), config)
        side = closeup.image.shape[0]
        assert closeup.image.shape == (side, side, 3) and closeup.semantic.shape == (side, side)
        assert 2 <= side <= 96
        subject, = closeup.objects
        assert subject.mask.shape == (side, side) and subject.mask.any()
        assert (closeup.semantic[subject.mask] == SYNTHWORLD_THINGS.index(subject.category)).all()
        ys, xs = np.nonzero(subject.mask)
        box_side = max(np.ptp(xs), np.ptp(ys)) + 1
        assert box_side <= side <= 1.6 * box_side + 1  # a 1.1-1.6x window, clipped to the scene
        assert closeup.words == [] and closeup.captions[1].startswith('one shape over ')
        named = [c for c in SYNTHWORLD_THINGS if f' {c}' in ' '.join(closeup.captions)]
        assert named == [subject.category]  # neighbours cut at the borders are not described
