"""Train an ovseg model with MMEngine's Runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm]
"""
import argparse
import os

from mmengine.config import DictAction

from ovseg.apis import build_runner, load_config, shutdown_distributed
from ovseg.apis.cli import run_cli
from ovseg.compat import ALLOW_UNSAFE_ENV


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an ovseg model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints')
    parser.add_argument('--resume', nargs='?', const='auto', default=None, metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. train_cfg.max_iters=100')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--allow-unsafe-checkpoint', action='store_true',
                        help='load trusted checkpoints that need code execution to unpickle')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    if args.allow_unsafe_checkpoint:
        os.environ[ALLOW_UNSAFE_ENV] = '1'
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
