"""``tools/benchmark.py inferencer``: the inferencer and the bare model on the same images."""
import argparse
import json

import pytest

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks


@pytest.mark.slow
def test_benchmark_reports_both_paths_side_by_side(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['inferencer'].setup(parser)
    run(parser.parse_args(['--num-images', '3', '--size', '64', '--batch-size', '2',
                           '--repeats', '1', '--work-dir', str(tmp_path)]))
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['images'] == 3
    assert results['model_s_per_image'] > 0 and results['inferencer_s_per_image'] > 0
    printed = capsys.readouterr().out
    assert '| model |' in printed and '| inferencer |' in printed
    assert 'inferencer overhead:' in printed
