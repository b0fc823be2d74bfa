"""ovseg.apis.retrieval: the FAISS gallery index, the text retriever on an index built in
process with a tiny FDP model, and its refusals."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from ovseg.apis.retrieval import (GalleryIndex, IndexMismatchError, QueryError, TextRetriever,
                                  check_query)
from test_apis.gallery_utils import CONFIG_NAME, another_model, build_gallery_index
from test_apis.gallery_utils import fdp, gallery  # noqa: F401  (fixtures)


def test_build_then_retrieve_ranks_as_the_model_scores(fdp, gallery, tmp_path, capsys):
    out = str(tmp_path / 'index')
    counts, index = build_gallery_index(fdp, gallery, out)
    broken = osp.join(gallery, '000003_broken.png')
    # the unreadable image is skipped, listed in the metadata and on stderr; the rest indexed
    assert counts == dict(encoded=6, done_before=0, unreadable=1)
    assert len(index) == 6 and broken not in index.paths
    assert [u['path'] for u in index.metadata['unreadable']] == [broken]
    assert 'broken.png' in capsys.readouterr().err

    retriever = TextRetriever(out)  # the index's own config.py: the same fingerprint
    ranked = retriever('hotel', top_k=4)
    # brute force with the model's own predict(): same images at the same scores, best first
    cfg, model = fdp
    model.set_vocabulary(['hotel'])
    expected = {}
    for path in index.paths:
        image = torch.from_numpy(cv2.imread(path)).permute(2, 0, 1)
        data = model.data_preprocessor(dict(inputs=[image], data_samples=[BaseDataElement()]))
        with torch.no_grad():
            expected[path] = float(model(**data, mode='predict')[0].pred_scores[0])
    best = sorted(expected, key=expected.get, reverse=True)[:4]
    assert [p for p, _ in ranked] == best
    np.testing.assert_allclose([s for _, s in ranked], [expected[p] for p in best], atol=2e-6)
    # a phrase query is searched too
    assert len(retriever('grand hotel', top_k=10)) == 6

    # reloaded from disk the index answers the same
    again = GalleryIndex.load(out).search(retriever.encode(['hotel']), 4)[0]
    assert again == ranked


def test_index_of_another_model_is_refused_naming_both(fdp, gallery, tmp_path):
    out = str(tmp_path / 'index')
    _, index = build_gallery_index(fdp, gallery, out)
    cfg, _ = fdp
    other = another_model(cfg)
    with pytest.raises(IndexMismatchError) as err:
        TextRetriever(out, model=other, config_name=CONFIG_NAME)
    assert index.metadata['fingerprint'] in str(err.value)


@pytest.mark.parametrize('query,message', [
    ('', 'empty'), ('   ', 'empty'), ('?!...', 'only punctuation'), ('отель', 'unsupported'),
    ('ホテル', 'unsupported'), ('hotel 東京', 'unsupported')])
def test_bad_queries(query, message):
    with pytest.raises(QueryError, match=message):
        check_query(query)


def test_good_queries_keep_latin_words_and_phrases():
    assert check_query('  Grand   Hotel ') == 'Grand Hotel'
    assert check_query('café') == 'café' and check_query('no. 9') == 'no. 9'


def test_flat_ivf_hnsw_indexes(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    paths = [f'img{i}.png' for i in range(len(vectors))]
    queries = vectors[:20] + 0.05 * rng.standard_normal((20, 16)).astype(np.float32)
    exact = (queries @ vectors.T).argsort(axis=1)[:, ::-1][:, :10]
    for index_type in ('flat', 'ivf', 'hnsw'):
        index = GalleryIndex(dim=16, index_type=index_type, metadata=dict(fingerprint='x'))
        index.add(vectors, paths)
        index.save(str(tmp_path / index_type))
        loaded = GalleryIndex.load(str(tmp_path / index_type))
        assert loaded.index_type == index_type and loaded.metadata['fingerprint'] == 'x'
        found = loaded.search(queries, 10)
        recall = np.mean([len({p for p, _ in row} & {paths[i] for i in want}) / 10
                          for row, want in zip(found, exact)])
        assert recall == 1.0 if index_type == 'flat' else recall > 0.8
        scores = [s for _, s in found[0]]
        assert scores == sorted(scores, reverse=True)

