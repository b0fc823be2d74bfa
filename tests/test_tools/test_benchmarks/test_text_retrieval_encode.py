"""``tools/benchmark.py text-retrieval-encode``: FDP's and CLIP's gallery encoding side by side."""
import argparse
import json

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks


def test_benchmark_times_fdp_and_clip_on_the_synthworld_config(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['text-retrieval-encode'].setup(parser)
    run(parser.parse_args(['--settings', 'synthworld', '--images', '1', '--repeats', '1',
                           '--work-dir', str(tmp_path)]))
    row, = json.loads((tmp_path / 'results.json').read_text())['rows']
    assert (row['model_name'], row['image_size']) == ('synthworld-rn-s', 160)
    assert row['clip_images_per_s'] > 0 and row['fdp_images_per_s'] > 0
    assert row['fdp_over_clip'] == row['fdp_images_per_s'] / row['clip_images_per_s']
    parts = row['fdp_gflops_by_part']
    # FDP = the CLIP trunk (without CLIP's own pool) + its focus parts + the probe
    assert {'backbone', 'score_head', 'masked_pool', 'probe'} <= set(parts)
    assert row['fdp_gflops_per_image'] > parts['backbone']
    assert parts['backbone'] < row['clip_gflops_per_image']  # CLIP adds its attention pool
    table = capsys.readouterr().out
    assert '| synthworld | synthworld-rn-s | 160x160 |' in table
