"""Benchmarks of the ovseg heads, one subcommand per head (``tools/benchmarks/<head>.py``).

    python tools/benchmark.py --list
    python tools/benchmark.py denseclip speed [--archs rn50 vit-b16] [--size 512] [--out F.json]
    python tools/benchmark.py denseclip synthworld [--arch rn-s|vit-s] [--iters 1000] [--clip W.pt]

Each subcommand measures what it compares side by side in one run and prints markdown tables.
Weights it trains stay in its work dirs: the weights cache it sees is a temporary one that reads
the user's registered weights and never replaces them (``benchmark_weights_cache``).
"""
import argparse

from benchmarks.common import (  # tools/benchmarks/: the script's folder
    benchmark_weights_cache, load_benchmarks)

from ovseg.apis.cli import run_cli


def main(argv=None) -> None:
    benchmarks = load_benchmarks()
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--list', action='store_true', help='list the benchmarks and exit')
    sub = parser.add_subparsers(dest='benchmark')
    runners = {}
    for name, bench in sorted(benchmarks.items()):
        runners[name] = bench.setup(sub.add_parser(name, help=bench.help))
    args = parser.parse_args(argv)
    if args.list or args.benchmark is None:
        for name, bench in sorted(benchmarks.items()):
            print(f'{name}: {bench.help}')
        return
    from ovseg.utils.weights import cache_dir
    print(f'[benchmark] weights names read from {cache_dir()}; the weights this benchmark '
          'trains stay in its work dirs', flush=True)
    with benchmark_weights_cache():
        runners[args.benchmark](args)


if __name__ == '__main__':
    run_cli(main)
