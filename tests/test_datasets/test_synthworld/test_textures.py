"""ovseg.datasets.synthworld.textures: seeded background textures and stuff layouts."""
import numpy as np
import pytest

from ovseg.datasets.synthworld import SYNTHWORLD_BACKGROUNDS
from ovseg.datasets.synthworld.textures import render_texture, stuff_layout
from ovseg.datasets.synthworld.vocab import SYNTHWORLD_STUFF


@pytest.mark.parametrize('name', SYNTHWORLD_BACKGROUNDS)
def test_texture_is_seeded_rgb_with_some_variation(name):
    texture = render_texture(name, np.random.default_rng(0), size=40)
    assert texture.shape == (40, 40, 3) and texture.dtype == np.uint8
    assert np.array_equal(texture, render_texture(name, np.random.default_rng(0), size=40))
    assert texture.reshape(-1, 3).std(0).max() > 1  # not one flat colour


def test_layouts_use_one_or_two_backgrounds_never_the_sign():
    backgrounds = {SYNTHWORLD_STUFF.index(n) for n in SYNTHWORLD_BACKGROUNDS}
    counts = set()
    for seed in range(20):
        layout = stuff_layout(np.random.default_rng(seed), size=32)
        assert layout.shape == (32, 32) and layout.dtype == np.uint8
        present = set(np.unique(layout).tolist())
        assert present <= backgrounds and 'sign' not in SYNTHWORLD_BACKGROUNDS
        counts.add(len(present))
    assert counts == {1, 2}
