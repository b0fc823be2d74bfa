"""Shared by the gallery and retrieval tests: the SynthWorld FDP config on the tiny ResNet CLIP,
a small gallery with one unreadable file, an in-process build."""
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config

from ovseg.apis.gallery import encode_gallery, gallery_items, merge_gallery
from ovseg.apis.retrieval import load_retriever_model
from ovseg.testing import TINY_RN

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py')
CONFIG_NAME = osp.basename(CONFIG)


def tiny_fdp_options(pretrained: str) -> dict:
    """The SynthWorld FDP config on the tiny ResNet CLIP (as test_text_retrieval does),
    without the probe: untrained, its residual is the same for every image and leaves the
    cosines of the 6 images 2e-5 apart; without it 1e-4 to 3e-4."""
    return {'model.model_name': TINY_RN, 'model.pretrained': pretrained,
            'model.image_size': 64, 'model.with_probe': False}


@pytest.fixture(scope='module')
def fdp(tiny_rn_checkpoint):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(tiny_fdp_options(tiny_rn_checkpoint))
    return cfg, load_retriever_model(cfg)


@pytest.fixture
def gallery(synthworld_64, tmp_path):
    """The 6 val images of the 64 px world and an unreadable file, in one folder."""
    folder = tmp_path / 'gallery'
    shutil.copytree(osp.join(synthworld_64, 'img_dir', 'val'), folder)
    (folder / '000003_broken.png').write_bytes(b'not a png')
    return str(folder)


def build_gallery_index(fdp, gallery, out, **kwargs):
    """(counts, index) of a one-process build of ``gallery`` into ``out``, shards of 2."""
    cfg, model = fdp
    items = gallery_items(gallery)
    counts = encode_gallery(model, cfg, items, out, config_name=CONFIG_NAME, shard_size=2,
                            batch_size=2, show_progress=False)
    return counts, merge_gallery(out, items, cfg=cfg, config_name=CONFIG_NAME, weights=None,
                                 **kwargs)




def another_model(cfg):
    """The config's model with one score-head weight nudged: another fingerprint."""
    other = load_retriever_model(cfg)
    with torch.no_grad():
        next(other.score_head.parameters()).add_(0.01)
    return other
