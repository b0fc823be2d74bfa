"""OVSegInferencer on a dataset's val images gives ``tools/test.py``'s metrics.

A SynthWorld DenseCLIP config (the RN recipe with the tiny ``ovseg-tiny-rn`` CLIP, registered
in the test's weights cache under the name the config reads) and one checkpoint of its
``init_weights`` model, its classifier scaled up so that the labels vary over the image; ``tools/test.py CONFIG CKPT`` evaluates the 6 val images of a 64 px
world; the inferencer segments the same folder, and mmseg's ``IoUMetric`` scores its label
maps against the dataset's ground truth. Users report this mismatch in mmdetection's tracker
(the inferencer and the test loop reading images differently).
"""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from ovseg.apis import OVSegInferencer
from ovseg.testing import save_init_weights_checkpoint, script_env
from ovseg.utils.weights import register_weights

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py')
pytestmark = pytest.mark.slow


def _options(world: str):
    opts = ['model.backbone.model_name=ovseg-tiny-rn', 'model.text_encoder.model_name=ovseg-tiny-rn',
            'model.context_decoder.transformer_width=16', 'model.context_decoder.transformer_layers=1',
            'model.neck.out_channels=16', 'model.decode_head.in_channels=[16,16,16,16]',
            'model.decode_head.channels=16']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={world}', f'{loader}.batch_size=2',
                 f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return opts


def _cfg_dict(options):
    from ovseg.testing.checkpoints import parse_cfg_options
    return parse_cfg_options(options)


def test_inferencer_miou_equals_test_py(synthworld_64, tiny_rn_checkpoint, tmp_path):
    from mmengine.config import Config
    from mmseg.evaluation import IoUMetric
    from mmseg.registry import DATASETS
    register_weights('synthworld-rn-s', tiny_rn_checkpoint)
    options = _options(synthworld_64)
    ckpt = save_init_weights_checkpoint(CONFIG, str(tmp_path / 'tiny.pth'), cfg_options=options)
    # init_weights draws the classifier with std 0.01: every pixel gets the class of the largest
    # bias-free logit alike; scaled up, the features decide
    checkpoint = torch.load(ckpt, weights_only=True)
    checkpoint['state_dict']['decode_head.conv_seg.weight'] *= 1000
    torch.save(checkpoint, ckpt)
    env = script_env()
    proc = subprocess.run([sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir',
                           str(tmp_path / 'work'), '--cfg-options', *options], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (log,) = glob.glob(osp.join(str(tmp_path / 'work'), '*', '*.json'))
    with open(log) as f:
        expected = json.loads(f.read().splitlines()[-1])

    inferencer = OVSegInferencer(CONFIG, ckpt, show_progress=False,
                                 cfg_options=_cfg_dict(options))
    result = inferencer(osp.join(synthworld_64, 'img_dir', 'val'), batch_size=4,
                        out_dir=str(tmp_path / 'out'))
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(_cfg_dict(options))
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dataset.metainfo
    import cv2
    preds = {p['image_path']: p for p in result['predictions']}
    assert len(preds) == len(dataset) == 6
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        stem = osp.splitext(osp.basename(sample.img_path))[0]
        # the label map as written (PNG), not only as returned
        png = cv2.imread(str(tmp_path / 'out' / 'preds' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        assert (png == preds[sample.img_path]['sem_seg']).all()
        metric.process({}, [dict(pred_sem_seg=dict(data=torch.from_numpy(png.astype('int64'))[None]),
                                 gt_sem_seg=dict(data=sample.gt_sem_seg.data))])
    got = metric.compute_metrics(metric.results)
    predicted = sum(r[2] for r in metric.results)  # pixels per predicted class
    assert got['aAcc'] > 0 and int((predicted > 0).sum()) > 1  # not a constant prediction
    assert (got['mIoU'], got['aAcc'], got['mAcc']) == (expected['mIoU'], expected['aAcc'],
                                                       expected['mAcc']), (got, expected)
