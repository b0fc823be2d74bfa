"""ovseg.engine.random_state_hook: generator states round-trip through a checkpoint dict."""
import random

import numpy as np
import torch

from ovseg.engine.random_state_hook import (KEY, RandomStateHook, get_random_state,
                                            set_random_state)


def _draw() -> tuple:
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_state_round_trip_continues_every_stream():
    state = get_random_state()
    expected = _draw()
    _draw()
    set_random_state(state)
    assert _draw() == expected


def test_checkpoint_holds_this_rank_state_as_plain_data():
    checkpoint = {}
    RandomStateHook().before_save_checkpoint(None, checkpoint)
    saved = checkpoint[KEY]
    assert saved['world_size'] == 1 and len(saved['ranks']) == 1
    name, key, *_ = saved['ranks'][0]['numpy']
    assert name == 'MT19937' and isinstance(key, list)  # builtins, loadable weights-only
    expected = _draw()
    set_random_state(saved['ranks'][0])
    assert _draw() == expected
