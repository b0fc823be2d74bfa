"""The SynthWorld segmentation test pipeline bounds the input size by its test scale."""
import glob
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import ovseg.datasets  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE = osp.join(REPO, 'configs', '_base_', 'datasets', 'synthworld_seg.py')


def _sample(tmp_path, height: int, width: int) -> dict:
    rng = np.random.default_rng(0)
    cv2.imwrite(str(tmp_path / 'img.png'), rng.integers(0, 255, (height, width, 3), np.uint8))
    cv2.imwrite(str(tmp_path / 'seg.png'), rng.integers(0, 21, (height, width), np.uint8))
    init_default_scope('mmseg')
    pipeline = Compose(Config.fromfile(BASE).test_pipeline)
    return pipeline(dict(img_path=str(tmp_path / 'img.png'), seg_map_path=str(tmp_path / 'seg.png'),
                         reduce_zero_label=False, seg_fields=[]))


def test_large_image_is_resized_to_the_test_scale(tmp_path):
    out = _sample(tmp_path, 900, 1200)
    assert tuple(out['inputs'].shape) == (3, 120, 160)  # fits 160x160, aspect ratio kept
    sample = out['data_samples']
    assert tuple(sample.ori_shape) == (900, 1200)  # predictions come back to this size
    assert tuple(sample.gt_sem_seg.data.shape) == (1, 900, 1200)  # metrics at full size


def test_synthworld_sized_image_passes_unchanged(tmp_path):
    """SynthWorld's own images (160x160) are not resized: val metrics stay those of the
    full-size images."""
    out = _sample(tmp_path, 160, 160)
    image = torch.from_numpy(cv2.imread(str(tmp_path / 'img.png'))).permute(2, 0, 1)
    assert torch.equal(out['inputs'], image)


def test_every_synthworld_seg_test_pipeline_resizes():
    configs = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                          recursive=True)
                     if '_base_' not in p and 'synthworld' in osp.basename(p))
    checked = []
    for path in configs:
        loader = Config.fromfile(path).get('test_dataloader')
        if not loader or loader.dataset.get('type') != 'SynthWorldSegDataset':
            continue
        steps = [s['type'] for s in loader.dataset.pipeline]
        assert 'Resize' in steps and steps.index('Resize') < steps.index('LoadAnnotations'), (
            f'{osp.relpath(path, REPO)}: test pipeline {steps}')
        checked.append(path)
    assert len(checked) >= 5
