"""demo/app.py end to end in headless Chromium (Debian's ``chromium``, driven by Playwright; no
browser download): ``python demo/app.py --port N`` serves a tiny DenseCLIP, the page gets a
SynthWorld val image and the names of the classes in its ground truth, and shows the overlay
and the class labels that the inferencer gives for that image. Its text retrieval tab, served
with ``--index`` (a tiny FDP's index of SynthWorld images), shows the images the retriever ranks
first for a typed word, and a message for a non-Latin one. One app serves both tests."""
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from contextlib import contextmanager

import cv2
import numpy as np
import pytest

from denseclip_utils import save_tiny_seg
from ovseg.apis import OVSegInferencer
from ovseg.testing.scripts import REPO_ROOT, script_env
from test_apis.gallery_utils import build_gallery_index
from test_apis.gallery_utils import fdp  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow

#: Where the screenshot of the page goes (a test artefact, for looking at); tmp_path otherwise.
SCREENSHOT_ENV = 'OVSEG_APP_SCREENSHOT'
#: Where the screenshot of the text retrieval tab goes; tmp_path otherwise.
RETRIEVAL_SCREENSHOT_ENV = 'OVSEG_APP_RETRIEVAL_SCREENSHOT'
START_TIMEOUT_S = 120


def _chromium() -> str:
    """Debian's Chromium (``tools/install.sh`` installs it with apt-get where apt is usable)."""
    for name in ('chromium', 'chromium-browser'):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip('Chromium is not installed and could not be (tools/install.sh installs the '
                'Debian package `chromium` with apt-get where apt is usable)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_until_serving(proc: subprocess.Popen, url: str, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f'demo/app.py exited with {proc.returncode}:\n{log.read()[-3000:]}')
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f'demo/app.py did not serve {url} within {START_TIMEOUT_S} s')


@pytest.fixture(scope='module')
def server(world, fdp, synthworld_64):  # noqa: F811
    """URL of ``python demo/app.py``, started once for the module with the tiny DenseCLIP
    (``--config`` / ``--weights``) and a tiny FDP's index of 6 SynthWorld images (``--index``)."""
    index = str(world / 'index')
    build_gallery_index(fdp, osp.join(synthworld_64, 'img_dir', 'val'), index)
    port = _free_port()
    # its own empty weights cache: the app serves exactly the tiny model, whatever weights the
    # session's tests (or the user) published under zoo names
    env = script_env(OVSEG_CACHE=str(world / 'weights_cache'), GRADIO_ANALYTICS_ENABLED='False')
    with open(world / 'app.log', 'w+') as log:
        proc = subprocess.Popen([sys.executable, 'demo/app.py', '--port', str(port),
                                 '--config', str(world / 'tiny.py'),
                                 '--weights', str(world / 'tiny.pth'), '--index', index],
                                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f'http://127.0.0.1:{port}/'
            _wait_until_serving(proc, url, log)
            yield url, index
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@contextmanager
def _page(url: str):
    """A headless Chromium page on ``url``."""
    sync_api = pytest.importorskip(
        'playwright.sync_api', reason='playwright is not installed (requirements-app.txt)')
    pytest.importorskip('gradio', reason='gradio is not installed (requirements-app.txt)')
    chromium = _chromium()
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=chromium, headless=True,
                                       args=['--no-sandbox'])
        page = browser.new_page(viewport=dict(width=1280, height=900))
        page.goto(url)
        yield page
        browser.close()


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """A 2-image SynthWorld of 64 px, a tiny DenseCLIP (config + checkpoint) testing at 64 px."""
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = tmp_path_factory.mktemp('app_browser')
    generate(str(root / 'world'), num_train=1, num_val=2, seed=3,
             config=SceneConfig(image_size=64), num_closeup=0, workers=1, log=None)
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='Resize', scale=(64, 64), keep_ratio=True), dict(type='PackSegInputs')]
    save_tiny_seg(root, pipeline, classes=None)
    return root


def test_the_page_segments_a_synthworld_image(world, server, tmp_path):
    from ovseg.datasets.synthworld import SYNTHWORLD_SEG_CLASSES
    image = str(world / 'world' / 'img_dir' / 'val' / '000001.png')
    truth = cv2.imread(str(world / 'world' / 'ann_dir' / 'val' / '000001.png'), -1)
    vocabulary = [SYNTHWORLD_SEG_CLASSES[k] for k in np.unique(truth) if k != 255]
    expected = OVSegInferencer(str(world / 'tiny.py'), str(world / 'tiny.pth'),
                               show_progress=False)(image, vocabulary=vocabulary,
                                                    return_vis=True)
    pred = expected['predictions'][0]

    with _page(server[0]) as page:
        page.locator('#image input[type=file]').set_input_files(image)
        page.locator('#vocabulary textarea').fill(', '.join(vocabulary))
        page.locator('#segment').click()
        overlay = page.locator('#overlay img')
        overlay.wait_for(timeout=60_000)
        page.locator('#message', has_text='Classes found').wait_for(timeout=10_000)
        shown = page.request.get(overlay.get_attribute('src')).body()
        message = page.locator('#message').inner_text()
        scores = page.locator('#scores').inner_text()
        page.screenshot(path=os.environ.get(SCREENSHOT_ENV, str(tmp_path / 'app.png')),
                        full_page=True)
    drawn = cv2.imdecode(np.frombuffer(shown, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
    assert np.array_equal(drawn, expected['visualization'][0])  # the overlay, legend and all
    assert drawn.shape[0] == truth.shape[0]
    top = max(pred['class_scores'], key=pred['class_scores'].get)
    assert top in scores  # gr.Label: the best class and its confidence
    labels = pred['sem_seg']
    for k in np.unique(labels):  # the classes present, with their share of the image
        assert f'{vocabulary[k]} ({100 * np.mean(labels == k):.0f} %)' in message


def test_the_retrieval_tab_shows_the_images_of_a_word(server, tmp_path):
    from ovseg.apis.retrieval import TextRetriever
    url, index = server
    expected = TextRetriever(index)('hotel', 3)
    with _page(url) as page:
        page.get_by_role('tab', name='Text retrieval').click()
        assert page.locator('#index input, #index textarea').first.input_value() == index
        page.locator('#query input, #query textarea').first.fill('hotel')
        page.locator('#top_k input[type=number]').fill('3')
        page.locator('#top_k input[type=number]').press('Enter')
        page.locator('#search').click()
        message = page.locator('#retrieval_message', has_text='the 3 best of 6 images')
        message.wait_for(timeout=60_000)
        thumbs = page.locator('#results img')
        thumbs.nth(2).wait_for(timeout=10_000)
        shown = [page.request.get(thumbs.nth(i).get_attribute('src')).body() for i in range(3)]
        results = page.locator('#results').inner_text()
        page.screenshot(path=os.environ.get(RETRIEVAL_SCREENSHOT_ENV,
                                            str(tmp_path / 'retrieval.png')), full_page=True)
        page.locator('#query input, #query textarea').first.fill('отель')
        page.locator('#search').click()
        page.locator('#retrieval_message', has_text='unsupported script').wait_for(
            timeout=30_000)
    for data, (path, score) in zip(shown, expected):  # the ranking, best first, as shown
        drawn = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert np.array_equal(drawn, cv2.imread(path))
        assert f'{osp.basename(path)} ({score:.3f})' in results
