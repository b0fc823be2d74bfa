"""demo/app_retrieval.py, the web app's text retrieval tab: results equal the retriever's on an
index built in process with a tiny FDP, and every bad input of issue 16 is a message in the
page while the app keeps serving."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from ovseg.apis.gallery import encode_gallery, gallery_items, merge_gallery
from ovseg.apis.retrieval import TextRetriever
from ovseg.testing import load_script
from test_apis.gallery_utils import CONFIG_NAME, another_model, build_gallery_index
from test_apis.gallery_utils import fdp, gallery  # noqa: F401  (fixtures)

tab = load_script('demo/app_retrieval.py')


@pytest.fixture
def index(fdp, gallery, tmp_path):  # noqa: F811
    out = str(tmp_path / 'index')
    build_gallery_index(fdp, gallery, out)
    return out


def _is_error(out, *words: str) -> bool:
    return (out.images == [] and out.message.startswith('**Error:**')
            and all(w in out.message for w in words))


def test_results_are_the_retrievers_ranking_with_thumbnails(index):
    cache = tab.RetrieverCache(default_index=index)
    out = tab.retrieve('', '  hotel ', 3, cache)  # no folder typed: the app's --index
    ranked = TextRetriever(index)('hotel', 3)
    assert [c for _, c in out.images] == [f'{r}. {osp.basename(p)} ({s:.3f})'
                                          for r, (p, s) in enumerate(ranked, 1)]
    for (thumb, _), (path, _) in zip(out.images, ranked):  # 64 px images: shown as they are
        assert np.array_equal(thumb, cv2.imread(path)[..., ::-1])
    assert out.message.startswith('**hotel**: the 3 best of 6 images')
    phrase = tab.retrieve(index, 'grand hotel', 20, cache)  # typed folder, phrase, all images
    assert len(phrase.images) == 6


@pytest.mark.parametrize('query, words', [
    ('', ['query is empty']), ('   ', ['query is empty']),
    ('?!...', ["only punctuation ('?!...')"]),
    ('отель', ['unsupported script', 'Latin letters and digits only'])])
def test_bad_queries_are_a_message_and_the_app_keeps_serving(index, query, words):
    cache = tab.RetrieverCache(default_index=index)
    assert _is_error(tab.retrieve(None, query, 5, cache), *words)
    assert len(tab.retrieve(None, 'hotel', 5, cache).images) == 5


def test_missing_indexes_and_bad_top_k_are_a_message(tmp_path, index):
    cache = tab.RetrieverCache()
    assert _is_error(tab.retrieve('', 'hotel', 5, cache), 'no gallery index',
                     'tools/build_gallery.py')
    assert _is_error(tab.retrieve(str(tmp_path / 'nowhere'), 'hotel', 5, cache),
                     'No such gallery index folder', 'nowhere')
    assert _is_error(tab.retrieve(str(tmp_path), 'hotel', 5, cache),
                     'No gallery index (meta.json) in', str(tmp_path))
    assert _is_error(tab.retrieve(index, 'hotel', 0, cache), 'top-k must be between 1 and 20')


def test_an_index_of_another_model_is_refused_naming_both(fdp, gallery, tmp_path):  # noqa: F811
    """The index names its weights; retrained (overwritten) since, they make another model."""
    cfg, model = fdp
    weights, out = str(tmp_path / 'fdp.pth'), str(tmp_path / 'index')
    torch.save(dict(state_dict=model.state_dict()), weights)
    items = gallery_items(gallery)
    encode_gallery(model, cfg, items, out, config_name=CONFIG_NAME, show_progress=False)
    built = merge_gallery(out, items, cfg=cfg, config_name=CONFIG_NAME, weights=weights)
    assert len(tab.retrieve(out, 'hotel', 2, tab.RetrieverCache()).images) == 2
    torch.save(dict(state_dict=another_model(cfg).state_dict()), weights)
    result = tab.retrieve(out, 'hotel', 2, tab.RetrieverCache())
    fingerprint = built.metadata['fingerprint']
    assert _is_error(result, f'was built with model {fingerprint} ({CONFIG_NAME})',
                     'this model is ', 'rebuild the index')
    assert result.message.count(CONFIG_NAME) == 2


def test_images_gone_since_the_build_are_noted(index):
    ranked = TextRetriever(index)('hotel', 2)
    os.remove(ranked[0][0])
    out = tab.retrieve(index, 'hotel', 2, tab.RetrieverCache())
    assert [c for _, c in out.images] == [f'2. {osp.basename(ranked[1][0])} '
                                          f'({ranked[1][1]:.3f})']
    assert f'1 of them could not be read any more (first: {ranked[0][0]})' in out.message


def test_the_app_refuses_an_index_option_that_is_no_index(tmp_path, monkeypatch):
    from ovseg.utils.errors import InputError
    app = load_script('demo/app.py')
    monkeypatch.setattr('sys.argv', ['app.py', '--index', str(tmp_path)])
    with pytest.raises(InputError, match=f'--index {tmp_path} is not a gallery index'):
        app.main()
