"""``tools/benchmark.py {sam-proposals,pmp-synthworld}``: stage-1 proposal benchmarks.

sam-proposals
    SAM automatic masks against text-prompted SAM (speed).
pmp-synthworld
    The PMP placement ablation: the four SynthWorld proposal configs
    (``configs/proposals/*_r18-w16_1xb8-1k_synthworld-128x128.py``, placements ``none``,
    ``after_cross``, ``after_self``, ``before_cross``) trained with the same budget through
    ``tools/train.py`` and validated on all 21 classes (mIoU, seen, unseen, harmonic), plus
    the class-agnostic quality of the proposals themselves: for every ground-truth class region
    of a val image, the best IoU of any proposal (masks > 0.5) when all 21 classes are asked,
    averaged over the seen and the unseen regions (average best overlap, ABO).

sam-proposals in detail:

On ``--device`` (CUDA when available), one image at SAM's input size (1024 by default),
random-weight SAM (ViT-B by default) and, for the text-prompted variant, a random-weight dense
CLIP (ViT-B/16 at 448 px) with K random class embeddings. Compares in one run, interleaved:

- ``amg-32`` / ``amg-16``: ``SamAutomaticMaskGenerator`` with 32x32 / 16x16 point grids (the
  class-agnostic stage 1 of SAM + OVSeg);
- ``text-prompted``: :class:`~ovseg.models.proposals.TextPromptedSAM` for a K-class query (one
  CLIP pass, one SAM image embedding, K prompt sets);
- ``image-encoder``: SAM's image encoder alone, the cost every variant pays once.

SAM's IoU/stability filters (0.88 / 0.95) stay on by default; with random weights they drop
almost every grid mask before the per-mask post-processing (RLE, NMS), so ``amg-*`` times are
then a lower bound of a trained SAM's. ``--no-filters`` post-processes every grid mask (the
upper bound; SAM's Python RLE loop makes it slow). Reports median seconds per image (wall
clock and process CPU time, the stable measure on a shared machine with ``OMP_NUM_THREADS=1``),
masks per image and the ratios amg / text-prompted.
"""
import argparse
import os
import os.path as osp
import statistics
import time
from typing import Callable, Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F

from .common import (SYNTHWORLD_VIT_CLIP, SYNTHWORLD_VIT_CLIP_RECIPE, device_synchronizer,
                        last_metrics, load_config_with_options, register_benchmark, run_tool,
                        tool_env, write_json, write_report)

PLACEMENT_CONFIGS = {
    'none': 'mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py',
    'after_cross': 'pmp_r18-w16_1xb8-1k_synthworld-128x128.py',
    'after_self': 'pmp-after-self_r18-w16_1xb8-1k_synthworld-128x128.py',
    'before_cross': 'pmp-before-cross_r18-w16_1xb8-1k_synthworld-128x128.py',
}


def smooth_image(size: int, *, seed: int = 0) -> torch.Tensor:
    """(1, 3, S, S) raw RGB in [0, 255]: upsampled low-frequency noise (blobs, not pixels)."""
    gen = torch.Generator().manual_seed(seed)
    low = torch.rand(1, 3, 8, 8, generator=gen)
    return F.interpolate(low, size=(size, size), mode='bicubic',
                         align_corners=False).clamp(0, 1) * 255


def _timed_rounds(fns: Dict[str, Callable], *, repeats: int,
                  warmup: int) -> Tuple[Dict[str, float], Dict[str, float]]:
    """Median wall-clock and process-CPU seconds per call, calls interleaved round-robin.

    On a shared CPU the wall clock also counts other processes; the process CPU time of a
    single-threaded run (``OMP_NUM_THREADS=1``) does not.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    wall: Dict[str, List[float]] = {name: [] for name in fns}
    cpu: Dict[str, List[float]] = {name: [] for name in fns}
    for round_ in range(repeats):
        for name, fn in fns.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            print(f'[sam-proposals] round {round_ + 1}/{repeats} {name}: '
                  f'{wall[name][-1]:.1f} s wall, {cpu[name][-1]:.1f} s CPU', flush=True)
    return ({k: statistics.median(v) for k, v in wall.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def _tiny(sam: str) -> object:
    if sam == 'tiny':
        from ovseg.testing import TINY_SAM_ARCH
        return dict(TINY_SAM_ARCH)
    return sam


def run(args: argparse.Namespace) -> dict:
    import ovseg.models  # noqa: F401
    from ovseg.models.proposals import SAMProposalGenerator, TextPromptedSAM, build_sam

    torch.manual_seed(0)
    device = torch.device(args.device)
    sam_spec = _tiny(args.sam)
    if isinstance(sam_spec, str) and args.image_size != 1024:
        arch = dict(vit_b=(768, 12, 12, (2, 5, 8, 11)), vit_l=(1024, 24, 16, (5, 11, 17, 23)),
                    vit_h=(1280, 32, 16, (7, 15, 23, 31)))[sam_spec]
        sam_spec = dict(image_size=args.image_size, encoder_embed_dim=arch[0],
                        encoder_depth=arch[1], encoder_num_heads=arch[2],
                        encoder_global_attn_indexes=arch[3])
    sam = build_sam(sam_spec).to(device)
    size = sam.image_encoder.img_size
    image = smooth_image(size).to(device)
    filters = (dict(pred_iou_thresh=0.0, stability_score_thresh=0.0) if args.no_filters
               else {})
    generators = {
        f'amg-{n}': SAMProposalGenerator(sam=sam, points_per_side=n,
                                         points_per_batch=args.points_per_batch, **filters)
        for n in (32, 16)}
    clip = dict(type='CLIPViT', model_name=args.clip, with_embeddings=True)
    prompted = TextPromptedSAM(clip_backbone=clip, sam=sam, clip_image_size=args.clip_size,
                               num_points=1, num_negative_points=1).to(device).eval()
    text = F.normalize(torch.randn(args.num_classes, prompted.clip_backbone.embed_dim),
                       dim=-1).to(device)
    counts: Dict[str, int] = {}
    sync = device_synchronizer(device)

    def proposals(name: str, fn: Callable) -> Callable:
        def call():
            with torch.no_grad():
                counts[name] = len(fn()[0])
            sync()
        return call

    fns = {name: proposals(name, lambda g=g: g.predict(image, None))
           for name, g in generators.items()}
    fns['text-prompted'] = proposals('text-prompted',
                                     lambda: prompted.predict(image, None, text))
    normalised = (image - sam.pixel_mean) / sam.pixel_std

    def encoder():
        with torch.no_grad():
            sam.image_encoder(normalised)
        sync()
    fns['image-encoder'] = encoder
    timings, cpu = _timed_rounds(fns, repeats=args.repeats, warmup=args.warmup)
    ratios = {f'{name} / text-prompted': timings[name] / timings['text-prompted']
              for name in generators}
    cpu_ratios = {f'{name} / text-prompted': cpu[name] / cpu['text-prompted']
                  for name in generators}
    name = args.sam if args.image_size == 1024 or args.sam == 'tiny' else \
        f'{args.sam}@{args.image_size}'
    threads = torch.get_num_threads()
    print(f'\nSAM proposals, SAM {name} (random weights, {size} px input), one {size}x{size} '
          f'image, text-prompted with K={args.num_classes} and {args.clip} at {args.clip_size} '
          f'px, points_per_batch {args.points_per_batch}, '
          f"{'IoU/stability filters off' if args.no_filters else 'SAM default filters'}, "
          f'{device} ({threads} CPU threads), median of {args.repeats}\n')
    print('| variant | wall s / image | CPU s / image | masks / image |')
    print('|---|---|---|---|')
    for key, seconds in timings.items():
        print(f"| {key} | {seconds:.2f} | {cpu[key]:.2f} | {counts.get(key, '-')} |")
    print('\nwall: ' + '; '.join(f'{k}: {v:.2f}x' for k, v in ratios.items()))
    print('CPU:  ' + '; '.join(f'{k}: {v:.2f}x' for k, v in cpu_ratios.items()))
    out = dict(seconds=timings, cpu_seconds=cpu, masks=counts, ratios=ratios,
               cpu_ratios=cpu_ratios, sam=name, image_size=size,
               num_classes=args.num_classes, clip=args.clip, clip_size=args.clip_size,
               points_per_batch=args.points_per_batch, no_filters=args.no_filters,
               device=str(device), threads=threads, repeats=args.repeats)
    if args.out:
        write_json(args.out, out)
    return out


@register_benchmark('sam-proposals',
                    help='SAM automatic masks (32/16 points per side) vs text-prompted SAM')
def add_arguments(parser: argparse.ArgumentParser) -> Callable:
    parser.add_argument('--sam', default='vit_b', choices=['vit_b', 'vit_l', 'vit_h', 'tiny'],
                        help="SAM encoder ('tiny': the 64 px test model)")
    parser.add_argument('--image-size', type=int, default=1024,
                        help="SAM input size (1024 is SAM's; smaller builds the same encoder "
                             'at that size)')
    parser.add_argument('--num-classes', type=int, default=3, help='K of the text query')
    parser.add_argument('--clip', default='ViT-B-16-quickgelu', help='open_clip ViT for scores')
    parser.add_argument('--clip-size', type=int, default=448, help='CLIP input (longer side)')
    parser.add_argument('--points-per-batch', type=int, default=32)
    parser.add_argument('--no-filters', action='store_true',
                        help="turn SAM's pred_iou / stability thresholds (0.88 / 0.95) off")
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=0)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--out', help='also write the numbers as JSON')
    return run


# --------------------------------------------------------------------------- pmp-synthworld
def _final_val_metrics(work_dir: str) -> Dict[str, float]:
    """The last validation entry of an mmengine run (``*/vis_data/scalars.json``)."""
    return last_metrics(work_dir, patterns=(osp.join('*', 'vis_data', 'scalars.json'),),
                        key='mIoU')


@torch.no_grad()
def proposal_best_overlap(config: str, checkpoint: str, *, data_root: str,
                          options: Sequence[str] = ()) -> Dict[str, float]:
    """Average best overlap (ABO) of a SynthWorld proposal model's masks with the GT regions.

    Every val image is run with the whole val vocabulary; each ground-truth class region is
    matched with its best proposal (sigmoid mask > 0.5, IoU) and the best IoUs are averaged
    over the regions of seen and of unseen classes.

    Returns:
        dict[str, float]: ``abo_seen``, ``abo_unseen`` in percent and the region counts.
    """
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import DATASETS, MODELS

    import ovseg.datasets  # noqa: F401
    import ovseg.models  # noqa: F401
    cfg = load_config_with_options(config, options)
    init_default_scope('mmseg')
    cfg.model.text_classifier.text_encoder.pretrained = None  # the checkpoint holds it
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    dataset_cfg = dict(cfg.val_dataloader.dataset, data_root=data_root)
    dataset = DATASETS.build(dataset_cfg)
    meta = dataset.metainfo
    model.set_vocabulary(meta.get('class_synonyms') or meta['classes'])
    seen = list(meta['seen'])
    best = {True: [], False: []}
    for index in range(len(dataset)):
        data = model.data_preprocessor(pseudo_collate([dataset[index]]), False)
        (proposals,) = model.proposal_generator.predict(
            data['inputs'], data['data_samples'], model.class_embeddings())
        sample = data['data_samples'][0]
        height, width = sample.metainfo['img_shape'][:2]
        masks = proposals.masks[:, :height, :width]  # (Q, h, w) probabilities
        # test pipelines load labels at the original size (after Resize): compare there, as
        # the segmentation metrics do (masks resized back like predictions)
        label = sample.gt_sem_seg.data[0]  # (H0, W0)
        if tuple(masks.shape[-2:]) != tuple(label.shape):
            masks = (F.interpolate(masks[None].float(), size=label.shape, mode='bilinear',
                                   align_corners=False)[0] if len(masks)
                     else masks.new_zeros((0, *label.shape)))
        masks = masks > 0.5  # (Q, H0, W0)
        for cls in label.unique().tolist():
            if cls >= len(seen):
                continue
            region = label == cls
            inter = (masks & region).flatten(1).sum(1).float()
            union = (masks | region).flatten(1).sum(1).float()
            best[seen[cls]].append(float((inter / union.clamp_min(1)).max()) if len(masks)
                                   else 0.0)
    return dict(abo_seen=100 * statistics.fmean(best[True]) if best[True] else float('nan'),
                abo_unseen=100 * statistics.fmean(best[False]) if best[False] else float('nan'),
                regions_seen=len(best[True]), regions_unseen=len(best[False]))


def run_pmp_synthworld(args: argparse.Namespace) -> dict:
    work = osp.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    clip = 'None' if args.clip in (None, 'none', 'None') else args.clip
    options: List[str] = [f'model.text_classifier.text_encoder.pretrained={clip}',
                          f'train_dataloader.dataset.data_root={args.data_root}',
                          f'val_dataloader.dataset.data_root={args.data_root}',
                          f'train_cfg.max_iters={args.iters}',
                          f'train_cfg.val_interval={args.iters}',
                          f'default_hooks.checkpoint.interval={args.iters}',
                          f'param_scheduler.1.end={args.iters}']
    # one thread per process is several times faster on a shared CPU
    env = tool_env(args.threads)
    results, minutes = {}, {}
    for placement in args.placements:
        config = osp.join('configs', 'proposals', PLACEMENT_CONFIGS[placement])
        wd = osp.join(work, placement)
        if args.force or not osp.isfile(osp.join(wd, f'iter_{args.iters}.pth')):
            start = time.time()
            run_tool(['tools/train.py', config, '--work-dir', wd, '--cfg-options', *options],
                     osp.join(work, f'{placement}.log'), env=env)
            minutes[placement] = (time.time() - start) / 60
        results[placement] = _final_val_metrics(wd)
        if args.proposal_quality:
            results[placement].update(proposal_best_overlap(
                config, osp.join(wd, f'iter_{args.iters}.pth'), data_root=args.data_root))
    lines = [f'SynthWorld val, 21 classes (trained on 17 seen, {args.iters} iterations of '
             f'batch 8, text tower {args.clip})', '',
             '| placement | mIoU | mIoU seen | mIoU unseen | hIoU | ABO seen | ABO unseen '
             '| train min |', '|---|---|---|---|---|---|---|---|']
    nan = float('nan')
    for placement, m in results.items():
        lines.append(f"| {placement} | {m['mIoU']:.2f} | {m['mIoU_seen']:.2f} | "
                     f"{m['mIoU_unseen']:.2f} | {m['hIoU']:.2f} | {m.get('abo_seen', nan):.1f} "
                     f"| {m.get('abo_unseen', nan):.1f} | {minutes.get(placement, nan):.1f} |")
    write_report(work, '\n'.join(lines),
                 dict(results=results, minutes=minutes, iters=args.iters, clip=args.clip))
    return results


@register_benchmark('pmp-synthworld',
                    help='PMP placement ablation on SynthWorld (seen / unseen mIoU)')
def add_pmp_arguments(parser: argparse.ArgumentParser) -> Callable:
    parser.add_argument('--clip', default=SYNTHWORLD_VIT_CLIP,
                        help="weights of the SynthWorld ViT CLIP 'synthworld-vit-s' for the "
                        f"text tower ('none': random; {SYNTHWORLD_VIT_CLIP_RECIPE})")
    parser.add_argument('--data-root', default='data/synthworld')
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--placements', nargs='+', default=list(PLACEMENT_CONFIGS),
                        choices=list(PLACEMENT_CONFIGS))
    parser.add_argument('--threads', type=int, default=1,
                        help='OMP threads per training process (0: torch default)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_pmp_synthworld')
    parser.add_argument('--no-proposal-quality', dest='proposal_quality', action='store_false',
                        help='skip the average-best-overlap evaluation of the proposals')
    parser.add_argument('--force', action='store_true', help='retrain existing runs')
    return run_pmp_synthworld
