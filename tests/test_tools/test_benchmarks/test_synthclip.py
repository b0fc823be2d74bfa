"""``tools/benchmark.py synthclip-probe`` trains a tiny tower with both objectives."""
import argparse
import math
import os.path as osp

import pytest

from ovseg.testing import TINY_RN, import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks


@pytest.mark.slow
def test_tower_probe_benchmark_trains_both_objectives(synthworld_64, tmp_path):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['synthclip-probe'].setup(parser)
    options = [f'model.model_name={TINY_RN}', 'train_dataloader.batch_size=8',
               'train_dataloader.dataset.pipeline.2.scale=(32,32)',
               'val_dataloader.dataset.pipeline.1.size=32',
               'val_dataloader.dataset.pipeline.2.scale=(32,32)']
    for loader in ('train_dataloader', 'val_dataloader'):
        options += [f'{loader}.dataset.data_root={synthworld_64}', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    results = run(parser.parse_args(['--steps', '30', '--work-dir', str(tmp_path / 'probe'),
                                     '--cfg-options', *options]))
    assert set(results) == {'ce', 'clip'}
    for r in results.values():
        assert r['crops'] > 0
        for key in ('top1_seen_within', 'top1_unseen_within', 'top1_seen', 'top1_unseen'):
            assert 0.0 <= r[key] <= 100.0 or math.isnan(r[key])  # nan: no unseen val crop
        assert r['chance_seen'] == pytest.approx(10.0)  # 10 seen things
    assert results['ce']['final_loss'] < results['ce']['first_loss']  # the head and tower learn
    assert osp.isfile(str(tmp_path / 'probe' / 'results.md'))
