"""Generate a SynthWorld copy.

    python tools/synthworld.py --out data/synthworld --num-train 2000 --num-val 200 --seed 0 \
        [--num-closeup N (default: --num-train)] [--image-size 160] [--overwrite] [--contact-sheet]

Same arguments, byte-identical files. See ``ovseg/datasets/synthworld/generate.py`` for the layout.
"""
import argparse
import time

from ovseg.apis.cli import run_cli
from ovseg.datasets.synthworld import SceneConfig, generate, make_contact_sheet


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1, got {value}')
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='dataset root to create')
    parser.add_argument('--num-train', type=_count, required=True, help='training images')
    parser.add_argument('--num-val', type=_count, required=True, help='validation images')
    parser.add_argument('--seed', type=int, required=True, help='non-negative seed')
    parser.add_argument('--num-closeup', type=int, default=None,
                        help='close-up caption images (a window around one object of a '
                             'scene, described alone; no labels) for CLIP pretraining; 0 for '
                             'none (default: as many as --num-train)')
    parser.add_argument('--image-size', type=int, default=160, help='image side in pixels')
    parser.add_argument('--min-objects', type=int, default=2, help='fewest shapes per image')
    parser.add_argument('--max-objects', type=int, default=5, help='most shapes per image')
    parser.add_argument('--max-words', type=int, default=2, help='most signs per image (0-2)')
    parser.add_argument('--workers', type=_count, default=2, help='rendering processes')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace the SynthWorld files of a non-empty --out')
    parser.add_argument('--contact-sheet', action='store_true',
                        help='also draw contact_sheet.png from the val split')
    args = parser.parse_args(argv)
    try:
        args.config = SceneConfig(image_size=args.image_size, min_objects=args.min_objects,
                                  max_objects=args.max_objects, max_words=args.max_words)
    except ValueError as error:
        parser.error(str(error))
    if args.seed < 0:
        parser.error(f'--seed must be >= 0, got {args.seed}')
    if args.num_closeup is None:
        args.num_closeup = args.num_train
    if args.num_closeup < 0:
        parser.error(f'--num-closeup must be >= 0, got {args.num_closeup}')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        generate(args.out, num_train=args.num_train, num_val=args.num_val, seed=args.seed,
                 config=args.config, num_closeup=args.num_closeup, workers=args.workers,
                 overwrite=args.overwrite)
    except FileExistsError as error:
        raise SystemExit(f'error: {error}')
    if args.contact_sheet:
        print(f'[synthworld] contact sheet: {make_contact_sheet(args.out)}')
    print(f'[synthworld] done in {time.perf_counter() - start:.1f} s: {args.out}')


if __name__ == '__main__':
    run_cli(main)
