"""``tools/benchmark.py sam-proposals`` runs end to end on the tiny SAM."""
import json

from ovseg.apis.benchmark import list_benchmarks, load_benchmarks


def test_sam_proposals_benchmark_tiny(tmp_path, capsys):
    assert 'sam-proposals' in list_benchmarks()
    import argparse
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['sam-proposals'].setup(parser)
    args = parser.parse_args(['--sam', 'tiny', '--clip', 'ovseg-tiny-vit', '--clip-size', '32',
                              '--repeats', '1', '--out', str(tmp_path / 'out.json')])
    out = run(args)
    assert set(out['seconds']) == {'amg-32', 'amg-16', 'text-prompted', 'image-encoder'}
    assert out['masks']['text-prompted'] == 3 and out['image_size'] == 64
    assert set(out['ratios']) == {'amg-32 / text-prompted', 'amg-16 / text-prompted'}
    assert json.loads((tmp_path / 'out.json').read_text())['num_classes'] == 3
    assert out['device'] == 'cpu'
    assert '| amg-32 |' in capsys.readouterr().out
