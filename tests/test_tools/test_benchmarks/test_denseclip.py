"""``tools/benchmark.py denseclip synthworld``: --arch picks the config pair and CLIP weights."""
import argparse
import os.path as osp

import pytest

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks
denseclip = import_tool('benchmarks.denseclip')
ROOT, _synth_configs = denseclip.ROOT, denseclip._synth_configs


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    load_benchmarks()['denseclip'].setup(parser)
    return parser.parse_args(['synthworld', *argv])


@pytest.mark.parametrize('argv, arch, clip', [
    ((), 'rn-s', 'synthworld-rn-s'),
    (('--arch', 'vit-s'), 'vit-s', 'synthworld-vit-s'),
    (('--arch', 'vit-s', '--clip', 'w.pt'), 'vit-s', 'w.pt'),
])
def test_synthworld_arch_defaults(argv, arch, clip):
    args = _parse(*argv)
    configs = _synth_configs(args)
    assert args.arch == arch and args.clip == clip
    assert args.work_dir == f'work_dirs/benchmark_denseclip_synthworld_{arch}'
    assert all(f'synthclip-{arch}_' in c and osp.isfile(osp.join(ROOT, c)) for c in configs)
    assert osp.basename(configs[0]).startswith('denseclip_')


def test_synthworld_rejects_unknown_arch():
    with pytest.raises(SystemExit):
        _parse('--arch', 'rn50')
