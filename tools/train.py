"""Train an ovseg model with MMEngine's Runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm]
"""
import argparse

from ovseg.apis import build_runner, load_config, shutdown_distributed
from ovseg.apis.cli import (add_config_arguments, add_unsafe_checkpoint_argument,
                            parse_tool_args, run_cli)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an ovseg model')
    add_config_arguments(parser, work_dir_help='folder for logs and checkpoints',
                         cfg_options_help='override config entries, e.g. '
                         'train_cfg.max_iters=100', launcher=True)
    parser.add_argument('--resume', nargs='?', const='auto', default=None, metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    add_unsafe_checkpoint_argument(parser, help='load trusted checkpoints that need code '
                                   'execution to unpickle')
    return parse_tool_args(parser)


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, cfg_options=args.cfg_options,
                      work_dir=args.work_dir, launcher=args.launcher)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = None if args.resume == 'auto' else args.resume
    build_runner(cfg).train()
    shutdown_distributed()


if __name__ == '__main__':
    run_cli(main)
