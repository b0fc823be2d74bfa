"""ovseg.apis.gallery: gallery lists, resuming an interrupted build in process, refusing to
resume another model's build (the killed subprocess: tests/test_tools/test_build_gallery.py)."""
import os.path as osp

import numpy as np
import pytest

from ovseg.apis.gallery import encode_gallery, gallery_items, read_shards
from ovseg.apis.retrieval import IndexMismatchError
from ovseg.utils.errors import InputError
from test_apis.gallery_utils import CONFIG_NAME, another_model, build_gallery_index
from test_apis.gallery_utils import fdp, gallery  # noqa: F401  (fixtures)


def test_resume_encodes_only_what_no_shard_lists(fdp, gallery, tmp_path):
    cfg, model = fdp
    out = str(tmp_path / 'index')
    items = gallery_items(gallery)
    first = encode_gallery(model, cfg, items[:3], out, config_name=CONFIG_NAME, shard_size=2,
                           show_progress=False)
    assert first == dict(encoded=3, done_before=0, unreadable=0)
    counts, index = build_gallery_index(fdp, gallery, out)
    assert counts == dict(encoded=3, done_before=3, unreadable=1)  # 6 readable, 1 broken
    paths = [p for shard in read_shards(out) for p in shard['paths']]
    assert sorted(paths) == sorted(index.paths) and len(paths) == 6
    _, reference = build_gallery_index(fdp, gallery, str(tmp_path / 'reference'))
    assert index.paths == reference.paths
    np.testing.assert_allclose(index.reconstruct(), reference.reconstruct(), atol=1e-6)


def test_resuming_another_models_build_is_refused(fdp, gallery, tmp_path):
    out = str(tmp_path / 'index')
    _, index = build_gallery_index(fdp, gallery, out)
    cfg, _ = fdp
    other = another_model(cfg)
    with pytest.raises(IndexMismatchError, match=index.metadata['fingerprint']):
        encode_gallery(other, cfg, gallery_items(gallery), out, config_name=CONFIG_NAME,
                       show_progress=False)


def test_list_file_gallery_keeps_each_image_once(gallery, tmp_path):
    listing = tmp_path / 'images.txt'
    listing.write_text('gallery/000000.png\n# a comment\n\n'
                       f'{osp.join(gallery, "000001.png")}\ngallery/000000.png\n')
    items = gallery_items(str(listing))
    assert [i.path for i in items] == [osp.join(gallery, '000000.png'),
                                       osp.join(gallery, '000001.png')]


def test_missing_or_empty_gallery_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='gallery'):
        gallery_items(str(tmp_path / 'nowhere'))
    (tmp_path / 'empty.txt').write_text('\n')
    with pytest.raises(InputError, match='empty.txt is empty'):
        gallery_items(str(tmp_path / 'empty.txt'))
