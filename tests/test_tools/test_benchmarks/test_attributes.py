"""``tools/benchmark.py attributes``: CLIP-Attr vs OvarNet, images/s and FLOPs, tiny CLIPs."""
import argparse
import json

import pytest

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks

TINY = ['model.model_name=ovseg-tiny-rn', 'model.num_context_tokens=3']
TINY_OVARNET = TINY + ['model.neck.in_channels=[32,64,128,256]',
                       'model.roi_head.num_layers=1']


def test_tiny_run_reports_both_models_side_by_side(tmp_path):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['attributes'].setup(parser)
    args = parser.parse_args(['--boxes', '2', '8', '--size', '64', '--repeats', '1',
                              '--work-dir', str(tmp_path), '--clip-attr-options', *TINY,
                              '--ovarnet-options', *TINY_OVARNET])
    run(args)
    rows = json.loads((tmp_path / 'results.json').read_text())['rows']
    assert [r['boxes'] for r in rows] == [2, 8]
    for row in rows:
        assert row['clip_attr_images_per_s'] > 0 and row['ovarnet_images_per_s'] > 0
        assert row['ratio'] == pytest.approx(row['ovarnet_images_per_s']
                                             / row['clip_attr_images_per_s'])
    # one CLIP call per box: CLIP-Attr's FLOPs grow 4x with 4x the boxes; OvarNet's image
    # pass is shared, so it grows by less
    few, many = rows
    assert many['clip_attr_flops'] / few['clip_attr_flops'] > 3.9
    assert many['ovarnet_flops'] / few['ovarnet_flops'] < 3.5
    assert '| 8 |' in (tmp_path / 'results.md').read_text()
