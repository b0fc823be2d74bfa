"""Tune calibrated stacking's seen-class penalty on held-out train images (never on val).

    python tools/calibrate.py CONFIG [CKPT] [--gammas 0 1 2 ...] [--held-out 1800:2000]
                              [--work-dir DIR] [--cfg-options k=v ...]

The held-out slice is the images at the given positions of the sorted SynthWorld train listing
(default the last 200 of the 2,000); their unseen things, 255 in the train maps, are named
from their captions (``ovseg.datasets.synthworld.heldout``). The config is tested once per
gamma (``model.test_cfg.seen_penalty``); the tool prints seen / unseen mIoU and hIoU per gamma
and the gamma of the best hIoU, to pass to ``tools/test.py`` as
``--cfg-options model.test_cfg.seen_penalty=GAMMA``.
"""
import argparse
import os.path as osp

from ovseg.apis import load_config
from ovseg.apis.calibration import (calibrate, choose_gamma, format_rows, heldout_config,
                                    parse_indices)
from ovseg.apis.cli import (add_config_arguments, add_unsafe_checkpoint_argument,
                            parse_tool_args, run_cli)
from ovseg.datasets.synthworld.heldout import write_heldout_labels

DEFAULT_GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Tune the seen-class penalty of calibrated '
                                     'stacking on held-out train images')
    add_config_arguments(parser, work_dir_help='folder for the held-out labels and the logs')
    parser.add_argument('checkpoint', nargs='?', help="checkpoint file; without it the weights "
                        "come from init_weights (the config's pretrained parts)")
    parser.add_argument('--gammas', type=float, nargs='+', default=list(DEFAULT_GAMMAS),
                        help='candidate penalties (log-probability units)')
    parser.add_argument('--held-out', default='1800:2000', help='positions in the sorted train '
                        'image listing: START:STOP or comma-separated (default 1800:2000)')
    add_unsafe_checkpoint_argument(parser)
    return parse_tool_args(parser)


def main() -> None:
    args = parse_args()
    if args.checkpoint is not None and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint {args.checkpoint} does not exist.')
    indices = parse_indices(args.held_out)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir)
    ann_dir = osp.join(cfg.work_dir, 'heldout_labels')
    stats = write_heldout_labels(data_root=cfg.test_dataloader.dataset.data_root,
                                 indices=indices, out_dir=ann_dir)
    print(f'held-out train images {args.held_out}: {stats}')
    rows = calibrate(heldout_config(cfg, indices=indices, ann_dir=ann_dir), args.gammas,
                     checkpoint=args.checkpoint)
    chosen = choose_gamma(rows)
    print(format_rows(rows, chosen))
    print(f'chosen gamma: {chosen:g} (tools/test.py ... --cfg-options '
          f'model.test_cfg.seen_penalty={chosen:g})')


if __name__ == '__main__':
    run_cli(main)
