"""Encode a gallery once into a searchable index for scene-text retrieval.

    python tools/build_gallery.py CONFIG [WEIGHTS] IMAGES --out INDEX [--batch-size 8]
        [--shard-size 256] [--index-type flat|ivf|hnsw] [--cfg-options k=v ...]
        [--launcher none|pytorch]
    bash tools/dist_build_gallery.sh CONFIG NUM_PROCS [WEIGHTS] IMAGES --out INDEX ...

IMAGES: a folder or a list file (one path a line). Killed and restarted with the same
arguments, the build encodes only the images it had not finished (ovseg/apis/gallery.py).
Without WEIGHTS the weights come from init_weights (the config's pretrained parts), as
``tools/test.py`` without a checkpoint. Query the index with ``tools/retrieve.py``.
"""
import argparse
import os.path as osp
import sys

import torch

from ovseg.apis import load_config
from ovseg.apis.cli import (add_config_arguments, add_unsafe_checkpoint_argument,
                            parse_tool_args, run_cli)
from ovseg.apis.gallery import encode_gallery, gallery_items, merge_gallery
from ovseg.apis.retrieval import INDEX_TYPES, load_retriever_model
from ovseg.utils import InputError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Encode a gallery into a retrieval index')
    add_config_arguments(parser, launcher=True)
    parser.add_argument('weights', nargs='?', help='checkpoint; without it the weights come '
                        "from init_weights (the config's pretrained parts)")
    parser.add_argument('images', help='folder of images or a list file (one path a line)')
    parser.add_argument('--out', required=True, help='index folder (resumed if it exists)')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--shard-size', type=int, default=256,
                        help='images per shard: what a kill can lose at most')
    parser.add_argument('--index-type', choices=INDEX_TYPES, default='flat',
                        help='flat: exact inner product; ivf / hnsw: approximate, for '
                        'galleries of millions')
    parser.add_argument('--device', default='cpu')
    add_unsafe_checkpoint_argument(parser)
    return parse_tool_args(parser)


def _init_distributed(launcher: str):
    """(rank, world size, barrier) of the launch; the process group as tools/train.py starts
    it (gloo without CUDA, where mmengine's init_dist would call torch.cuda.set_device)."""
    if launcher == 'none':
        return 0, 1, lambda: None
    if launcher != 'pytorch':
        raise InputError(f'--launcher {launcher}: build_gallery.py supports none and pytorch')
    import torch.distributed as dist
    if torch.cuda.is_available():
        from mmengine.dist import init_dist
        init_dist('pytorch')
    else:
        dist.init_process_group(backend='gloo')
    return dist.get_rank(), dist.get_world_size(), dist.barrier


def main() -> None:
    args = parse_args()
    if args.batch_size < 1 or args.shard_size < 1:
        raise InputError('--batch-size and --shard-size must be at least 1')
    if args.weights is not None and not osp.isfile(args.weights):
        raise FileNotFoundError(2, 'Checkpoint does not exist', args.weights)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.out)
    rank, world_size, barrier = _init_distributed(args.launcher)
    items = gallery_items(args.images)
    model = load_retriever_model(cfg, args.weights, device=args.device)
    config_name = osp.basename(args.config)
    counts = encode_gallery(model, cfg, items, args.out, config_name=config_name,
                            batch_size=args.batch_size, shard_size=args.shard_size, rank=rank,
                            world_size=world_size, barrier=barrier)
    print(f'rank {rank}: encoded {counts["encoded"]} images, {counts["done_before"]} were '
          f'done before, {counts["unreadable"]} unreadable', file=sys.stderr)
    barrier()
    if rank == 0:
        index = merge_gallery(args.out, items, cfg=cfg, config_name=config_name,
                              weights=args.weights, index_type=args.index_type)
        bad = index.metadata['unreadable']
        print(f'{args.out}: {len(index)} images indexed ({args.index_type}), '
              f'{len(bad)} unreadable skipped, model {index.metadata["fingerprint"]}')
    if world_size > 1:
        import torch.distributed as dist
        barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    run_cli(main)
