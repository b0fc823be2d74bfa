"""``tools/benchmark.py text-retrieval``: flat / IVF / HNSW side by side on small galleries."""
import argparse
import json

import numpy as np

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks
text_retrieval = import_tool('benchmarks.text_retrieval')


def test_synthetic_gallery_is_normalised_and_seeded():
    a = text_retrieval.synthetic_gallery(300, 16, centers=10)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(a, text_retrieval.synthetic_gallery(300, 16, centers=10))


def test_benchmark_reports_every_index_with_recall(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['text-retrieval'].setup(parser)
    run(parser.parse_args(['--small', '500', '--large', '3000', '--dim', '16', '--centers',
                           '20', '--queries', '20', '--config', '', '--work-dir',
                           str(tmp_path)]))
    results = json.loads((tmp_path / 'results.json').read_text())
    rows = {(r['gallery'], r['index_type']): r for r in results['rows']}
    assert sorted(rows) == [(500, 'flat'), (3000, 'flat'), (3000, 'hnsw'), (3000, 'ivf')]
    assert len(results['rows']) == 6  # nprobe 16, 64; ef 64, 256
    assert rows[(3000, 'flat')]['recall_at_k'] == 1.0
    # flat stores D float32 per image; approximate indexes recall most of the exact top 10
    assert 16 * 4 <= rows[(500, 'flat')]['bytes_per_image'] < 16 * 4 + 1  # + a header
    assert 0.5 < rows[(3000, 'ivf')]['recall_at_k'] <= 1
    assert 0.5 < rows[(3000, 'hnsw')]['recall_at_k'] <= 1
    assert all(r['median_ms'] > 0 for r in rows.values())
    assert '| 3,000 | hnsw' in capsys.readouterr().out
