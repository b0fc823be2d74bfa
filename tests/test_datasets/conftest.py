"""Fixtures for the dataset tests: one small SynthWorld copy per test session."""
import pytest

from ovseg.datasets.synthworld import SceneConfig, generate

SMALL = SceneConfig(image_size=96)


@pytest.fixture(scope='session')
def synthworld_root(tmp_path_factory) -> str:
    """A SynthWorld root with 8 train, 6 val and 4 close-up images of 96 px (seed 0)."""
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=8, num_val=6, seed=0, config=SMALL, num_closeup=4, workers=1,
             log=None)
    return root
