"""tools/build_gallery.py and tools/retrieve.py end to end: a build killed after its first
shard resumes without encoding any image twice and gives the index of an uninterrupted build;
the retrieve tool ranks, and a bad query is one line on stderr.

The gallery is the 22 images of the 64 px SynthWorld world upscaled to 512 px (so that a shard
takes long enough to kill the build between two) and one unreadable file; the model is the
SynthWorld FDP config on the tiny ResNet CLIP.
"""
import os
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from ovseg.apis.gallery import encode_gallery, gallery_items, merge_gallery, read_shards
from ovseg.apis.retrieval import GalleryIndex, load_retriever_model
from ovseg.apis.cli import run_cli
from ovseg.testing import kill_after_first_shard, load_script, script_env

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py')
pytestmark = pytest.mark.slow


def _options(pretrained):
    return {'model.model_name': 'ovseg-tiny-rn', 'model.pretrained': pretrained,
            'model.image_size': 64, 'model.with_probe': False}


@pytest.fixture
def gallery(synthworld_64, tmp_path):
    folder = tmp_path / 'gallery'
    folder.mkdir()
    for split in ('train', 'val'):
        src = osp.join(synthworld_64, 'img_dir', split)
        for name in sorted(os.listdir(src)):
            image = cv2.resize(cv2.imread(osp.join(src, name)), (512, 512),
                               interpolation=cv2.INTER_NEAREST)
            cv2.imwrite(str(folder / f'{split}_{name}'), image)
    (folder / 'val_broken.png').write_bytes(b'\x89PNG truncated')
    return str(folder)


def _command(tool, *args):
    return [sys.executable, osp.join(ROOT, 'tools', tool), *args]


def test_killed_build_resumes_and_retrieve_cli(gallery, tiny_rn_checkpoint, tmp_path,
                                               monkeypatch, capsys):
    out = str(tmp_path / 'index')
    options = [f'{k}={v}' for k, v in _options(tiny_rn_checkpoint).items()]
    build = _command('build_gallery.py', CONFIG, gallery, '--out', out, '--shard-size', '2',
                     '--batch-size', '1', '--cfg-options', *options)
    proc = subprocess.Popen(build, cwd=ROOT, env=script_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    kill_after_first_shard(proc, out)
    first = read_shards(out)
    done_first = sum(len(s['paths']) + len(s['unreadable']) for s in first)
    assert 0 < done_first < 23, 'the build was not interrupted mid-way'
    assert not osp.exists(osp.join(out, 'index.faiss'))

    proc = subprocess.run(build, cwd=ROOT, env=script_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = re.search(r'encoded (\d+) images, (\d+) were done before, (\d+) unreadable',
                       proc.stderr)
    encoded, before, bad = map(int, counts.groups())
    assert before == done_first and encoded + bad + done_first == 23
    shards = read_shards(out)
    all_paths = [p for s in shards for p in s['paths']]
    assert len(all_paths) == len(set(all_paths)) == 22  # no image encoded twice, none lost
    broken = osp.join(gallery, 'val_broken.png')
    assert 'val_broken.png' in proc.stderr or any(
        u['path'] == broken for s in first for u in s['unreadable'])

    # the index equals that of an uninterrupted build (in this process, the same model)
    expected = _reference_build(gallery, tiny_rn_checkpoint, str(tmp_path / 'reference'))
    resumed = GalleryIndex.load(out)
    assert resumed.paths == expected.paths and len(resumed) == 22
    assert resumed.metadata['fingerprint'] == expected.metadata['fingerprint']
    assert resumed.metadata['unreadable'] == expected.metadata['unreadable']
    assert [u['path'] for u in resumed.metadata['unreadable']] == [broken]
    np.testing.assert_allclose(resumed.reconstruct(), expected.reconstruct(), atol=1e-5)

    # tools/retrieve.py, in this process (its main under run_cli, as the script runs it)
    lines = _retrieve(monkeypatch, capsys, out, 'hotel', '--top-k', '3')[0].splitlines()
    lines = [line.split('\t') for line in lines]
    assert [int(r) for r, _, _ in lines] == [1, 2, 3]
    assert all(p in resumed.paths for _, _, p in lines)
    scores = [float(s) for _, s, _ in lines]
    assert scores == sorted(scores, reverse=True)

    stdout, stderr = _retrieve(monkeypatch, capsys, out, '?!', code=1)
    assert stderr.strip().splitlines() == [
        "error: query is only punctuation ('?!'): give a word or a phrase"]


def test_two_ranks_build_the_index_of_one(synthworld_64, tiny_rn_checkpoint, tmp_path):
    gallery = osp.join(synthworld_64, 'img_dir', 'train')
    out = str(tmp_path / 'index')
    options = [f'{k}={v}' for k, v in _options(tiny_rn_checkpoint).items()]
    env = script_env(PYTHON=sys.executable, PORT='29743')
    proc = subprocess.run(['bash', osp.join(ROOT, 'tools', 'dist_build_gallery.sh'), CONFIG,
                           '2', gallery, '--out', out, '--shard-size', '3', '--cfg-options',
                           *options], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # 16 images in 6 shards of 3: rank 0 encodes shards 0, 2, 4 (9 images), rank 1 the rest
    assert 'rank 0: encoded 9 images' in proc.stderr
    assert 'rank 1: encoded 7 images' in proc.stderr
    expected = _reference_build(gallery, tiny_rn_checkpoint, str(tmp_path / 'reference'))
    built = GalleryIndex.load(out)
    assert built.paths == expected.paths and len(built) == 16
    np.testing.assert_allclose(built.reconstruct(), expected.reconstruct(), atol=1e-5)


def _reference_build(gallery, pretrained, out):
    """An uninterrupted one-process build, in this process."""
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(_options(pretrained))
    model = load_retriever_model(cfg)
    items = gallery_items(gallery)
    encode_gallery(model, cfg, items, out, config_name=osp.basename(CONFIG),
                   show_progress=False)
    return merge_gallery(out, items, cfg=cfg, config_name=osp.basename(CONFIG), weights=None)


def _retrieve(monkeypatch, capsys, *args, code=0):
    """(stdout, stderr) of ``tools/retrieve.py ARGS`` run in this process."""
    tool = load_script('tools/retrieve.py')
    monkeypatch.setattr(sys, 'argv', ['retrieve.py', *args])
    capsys.readouterr()
    try:
        run_cli(tool.main)
        exit_code = 0
    except SystemExit as err:
        exit_code = err.code
    out, err = capsys.readouterr()
    assert exit_code == code, err[-3000:]
    return out, err
