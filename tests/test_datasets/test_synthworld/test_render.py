"""ovseg.datasets.synthworld.render: one rendered scene and one close-up."""
import numpy as np

from ovseg.datasets.synthworld import (ATTRIBUTE_TYPES, SYNTHWORLD_SEG_CLASSES, SYNTHWORLD_THINGS,
                                       SceneConfig, render_closeup, render_scene)


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
