import math

import pytest
from mmengine.config import Config

from ovseg.apis.calibration import (calibrate, choose_gamma, format_rows, heldout_config,
                                    parse_indices)


def test_parse_indices():
    assert parse_indices('1800:1803') == [1800, 1801, 1802]
    assert parse_indices('4, 9,1') == [4, 9, 1]
    for bad in ('a:b', '5:5', ''):
        with pytest.raises(ValueError, match='--held-out'):
            parse_indices(bad)


def test_choose_gamma_best_hiou_smallest_on_ties_nan_as_zero():
    rows = [dict(gamma=0.0, seen=50.0, unseen=0.0, hIoU=math.nan),
            dict(gamma=1.0, seen=45.0, unseen=10.0, hIoU=16.4),
            dict(gamma=2.0, seen=40.0, unseen=11.0, hIoU=16.4),
            dict(gamma=4.0, seen=5.0, unseen=12.0, hIoU=7.1)]
    assert choose_gamma(rows) == 1.0
    assert choose_gamma(rows[:1]) == 0.0
    table = format_rows(rows, 1.0)
    assert '| 1 (chosen) | 45.0 | 10.0 | 16.4 |' in table and table.count('chosen') == 1


def test_heldout_config_points_the_test_set_at_train_images(tmp_path):
    cfg = Config(dict(test_dataloader=dict(
        sampler=dict(type='InfiniteSampler'),
        dataset=dict(type='SynthWorldSegDataset', data_root='data/synthworld',
                     data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')))))
    out = heldout_config(cfg, indices=[3, 4], ann_dir=str(tmp_path / 'labels'))
    dataset = out.test_dataloader.dataset
    assert dataset.data_prefix == dict(img_path='img_dir/train',
                                       seg_map_path=str(tmp_path / 'labels'))
    assert dataset.indices == [3, 4] and out.test_dataloader.sampler.type == 'DefaultSampler'
    assert cfg.test_dataloader.dataset.data_prefix.img_path == 'img_dir/val'  # not mutated


def test_calibrate_refuses_negative_gammas():
    cfg = Config(dict(model=dict(type='TwoStageOVSegmentor', test_cfg=dict(seen_penalty=0.0))))
    with pytest.raises(ValueError, match='gammas must be >= 0'):
        calibrate(cfg, [0.0, -1.0])