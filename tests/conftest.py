"""Shared fixtures: tiny CPU models and checkpoint files, nothing downloaded.

Add fixtures for other capabilities here when more than one test folder needs them;
folder-specific ones belong in that folder's ``conftest.py``.

Tests run torch on ``OVSEG_TEST_THREADS`` threads (default 1): the models are tiny,
and on a small shared CPU extra intra-op threads make each new input shape take
seconds instead of milliseconds.
"""
import os

import pytest
import torch

from ovseg.testing import TINY_RN, TINY_VIT, build_tiny_clip, save_state_dict


def pytest_configure(config) -> None:
    torch.set_num_threads(int(os.environ.get('OVSEG_TEST_THREADS', '1')))


def _cache_listing(folder: str) -> dict:
    """``{file name: (size, mtime)}`` of a weights cache folder (empty when it does not exist)."""
    if not os.path.isdir(folder):
        return {}
    return {name: (os.stat(path).st_size, os.stat(path).st_mtime_ns)
            for name in os.listdir(folder) for path in [os.path.join(folder, name)]}


@pytest.fixture(scope='session', autouse=True)
def session_weights_cache(tmp_path_factory):
    """A weights cache (``$OVSEG_CACHE``) for the whole run, so that module-scoped fixtures, which
    start before the per-test ``weights_cache``, and the scripts they run never publish into the
    user's cache either (tiny test weights under real names would replace a user's trained ones).

    Fails the run when the user's cache changed all the same.
    """
    from ovseg.utils.weights import CACHE_ENV, cache_dir
    user_folder = cache_dir()
    before = _cache_listing(user_folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp('ovseg_session_cache')))
        yield
    after = _cache_listing(user_folder)
    assert after == before, (f'the tests changed the user weights cache {user_folder}: '
                             f'{sorted(set(after.items()) ^ set(before.items()))}')


@pytest.fixture(autouse=True)
def weights_cache(tmp_path_factory, monkeypatch) -> str:
    """A fresh ovseg weights cache (``$OVSEG_CACHE``) per test, never the real ``~/.cache``."""
    from ovseg.utils.weights import CACHE_ENV
    folder = str(tmp_path_factory.mktemp('ovseg_cache'))
    monkeypatch.setenv(CACHE_ENV, folder)
    return folder


@pytest.fixture
def tiny_vit_clip() -> torch.nn.Module:
    """open_clip ``ovseg-tiny-vit`` (D=32, 32 px, patch 8), seed 0, eval mode."""
    return build_tiny_clip(TINY_VIT, seed=0)


@pytest.fixture
def tiny_rn_clip() -> torch.nn.Module:
    """open_clip ``ovseg-tiny-rn`` (D=32, 32 px, ModifiedResNet width 8), seed 0."""
    return build_tiny_clip(TINY_RN, seed=0)


@pytest.fixture(scope='session')
def tiny_vit_checkpoint(tmp_path_factory) -> str:
    """State-dict file holding the weights of :func:`tiny_vit_clip`."""
    path = tmp_path_factory.mktemp('clip') / 'tiny_vit.pth'
    return save_state_dict(build_tiny_clip(TINY_VIT, seed=0), str(path))


@pytest.fixture(scope='session')
def tiny_rn_checkpoint(tmp_path_factory) -> str:
    """State-dict file holding the weights of :func:`tiny_rn_clip`."""
    path = tmp_path_factory.mktemp('clip') / 'tiny_rn.pth'
    return save_state_dict(build_tiny_clip(TINY_RN, seed=0), str(path))


@pytest.fixture(scope='session')
def synthworld_64(tmp_path_factory) -> str:
    """SynthWorld root with 16 train and 6 val images of 64 px and 4 close-ups (seed 0), for
    the SynthWorld CLIP tests and the ``synthclip-probe`` benchmark's."""
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld64'))
    generate(root, num_train=16, num_val=6, seed=0, config=SceneConfig(image_size=64),
             num_closeup=4, workers=1, log=None)
    return root
