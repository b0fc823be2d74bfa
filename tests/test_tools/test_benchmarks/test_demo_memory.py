"""``tools/benchmark.py demo-memory`` runs the demo in fresh processes and reports their peak."""
import argparse
import json

import pytest

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks


def test_sizes_are_parsed_and_checked():
    parser = argparse.ArgumentParser()
    load_benchmarks()['demo-memory'].setup(parser)
    assert parser.parse_args(['--sizes', '40x30']).sizes == [(40, 30)]
    for bad in ('40', '0x30', 'axb'):
        with pytest.raises(SystemExit):
            parser.parse_args(['--sizes', bad])


@pytest.mark.slow
def test_benchmark_reports_one_row_per_size(tmp_path):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['demo-memory'].setup(parser)
    run(parser.parse_args(['--sizes', '40x30', '--work-dir', str(tmp_path)]))
    rows = json.loads((tmp_path / 'results.json').read_text())['rows']
    assert [r['size'] for r in rows] == ['40x30']
    assert rows[0]['peak_rss_MiB'] > 0 and 'demo/image_demo.py' in rows[0]['command']
    assert (tmp_path / 'out_40x30' / 'vis' / 'img_40x30.png').is_file()
    assert (tmp_path / 'out_40x30' / 'preds' / 'img_40x30.png').is_file()
