"""``tools/benchmark.py mask-classification`` and ``mask-adapted synthworld`` (OVSeg stage 2).

mask-classification: ways of classifying Q mask proposals with CLIP.

Random-weight CLIP (ViT-B/16 by default), one image (640 x 640), Q random blob masks, K random
class embeddings. Compares, in one run and on one device:

- ``loop``: OVSeg crop mode one proposal at a time (crop, fill, resize, CLIP, score);
- ``batched``: OVSeg crop mode with every valid crop in one CLIP batch (``MaskCLIPClassifier``
  ``mode='crop'``, ``chunk_size=Q``), and ``batched-<n>`` with chunks of n crops;
- ``single-pass``: one dense CLIP pass over the image, masks pooled (``mode='single_pass'``,
  value-path dense embeddings).

Reports interleaved median seconds, masks/s, peak extra memory of one call, and the ratios
batched / loop and single-pass / batched.

mask-adapted synthworld: the whole OVSeg stage-2 recipe on SynthWorld through the public tools
(``tools/mine_region_pairs.py``, ``tools/train.py``, ``tools/test.py``): mine region-noun pairs
from the training captions (GT masks), fine-tune the SynthWorld CLIP (full FT, MPT, FT -> MPT),
then evaluate on val with ground-truth masks as proposals: crop mode with mean fill, + MPT,
+ FT, FT -> MPT, single-pass pooling, and, given a trained stage-1 checkpoint, the ensemble
with its proposals (plus stage 1 alone / CLIP alone and the invalid-proposal variants).
"""
import argparse
import math
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

import torch

from .common import (SYNTHWORLD_VIT_CLIP, SYNTHWORLD_VIT_CLIP_RECIPE, device_synchronizer,
                        interleaved_timing, last_metrics, peak_memory_mb, pick_metric,
                        register_benchmark, run_tool, write_json, write_report)


def random_blob_masks(num: int, height: int, width: int, *, seed: int = 0) -> torch.Tensor:
    """(Q, H, W) soft masks: ellipses of random size (1-40% of the side), sigmoid edges."""
    g = torch.Generator().manual_seed(seed)
    ys = torch.arange(height).float()[:, None]
    xs = torch.arange(width).float()[None]
    masks = []
    for _ in range(num):
        cy, cx = torch.rand(2, generator=g) * torch.tensor([height, width])
        ry, rx = (0.01 + 0.39 * torch.rand(2, generator=g)) * torch.tensor([height, width]) / 2
        dist = ((ys - cy) / ry) ** 2 + ((xs - cx) / rx) ** 2
        masks.append(torch.sigmoid((1 - dist) * 8))
    return torch.stack(masks)


def _build(model_name: str, mode: str, tower=None, chunk_size: int = 64):
    from ovseg.models.mask_adapted import MaskCLIPClassifier
    classifier = MaskCLIPClassifier(
        clip=dict(type='MaskPromptViT', model_name=model_name, with_embeddings=True,
                  use_mask_prompt=False, prompt_depth=0),
        mode=mode, chunk_size=chunk_size, value_path=mode == 'single_pass')
    if tower is not None:
        classifier.clip = tower
    return classifier.eval()


def _setup(args: argparse.Namespace):
    """Classifiers (crop mode sharing its tower with single pass), image, masks, classes."""
    device = torch.device(args.device)
    torch.manual_seed(0)
    batched = _build(args.model, 'crop', chunk_size=args.num_masks).to(device)
    chunked = _build(args.model, 'crop', tower=batched.clip, chunk_size=args.chunk_size)
    single = _build(args.model, 'single_pass', tower=batched.clip).to(device)
    image = (torch.rand(1, 3, args.size, args.size) * 255).to(device)
    masks = random_blob_masks(args.num_masks, args.size, args.size).to(device)
    classes = torch.nn.functional.normalize(
        torch.randn(args.num_classes, batched.embed_dim), dim=-1).to(device)

    def loop():
        return [batched(image, [mask[None]], classes) for mask in masks]

    fns: Dict[str, Callable] = {
        'loop': loop,
        'batched': lambda: batched(image, [masks], classes),
        f'batched-{args.chunk_size}': lambda: chunked(image, [masks], classes),
        'single-pass': lambda: single(image, [masks], classes),
    }
    sync = device_synchronizer(device)

    def timed(fn):
        def call():
            with torch.no_grad():
                fn()
            sync()
        return call

    return device, {name: timed(fn) for name, fn in fns.items()}


def _cpu_peak_worker(args: argparse.Namespace, name: str, queue) -> None:
    """Spawned process: peak RSS growth (MiB) of the first call of ``name``.

    A fresh interpreter, not a fork: a forked child of a process whose OpenMP pool already
    ran can hang in its first parallel region (libgomp is not fork-safe). The first call, as
    after it the allocator serves repeated calls from memory it keeps resident.
    """
    from .common import _status_kb
    _, fns = _setup(args)
    before = _status_kb('VmRSS')
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    fns[name]()
    queue.put((_status_kb('VmHWM') - before) / 1024)


def _peak_mb(args: argparse.Namespace, name: str, fn: Callable, device) -> float:
    if device.type == 'cuda':
        return peak_memory_mb(fn, device)
    import multiprocessing
    context = multiprocessing.get_context('spawn')
    queue = context.Queue()
    process = context.Process(target=_cpu_peak_worker, args=(args, name, queue))
    process.start()
    value = queue.get()
    process.join()
    return value


def run(args: argparse.Namespace) -> Dict[str, dict]:
    device, fns = _setup(args)
    timings = interleaved_timing(fns, repeats=args.repeats, warmup=1)
    results = {}
    for name, fn in fns.items():
        memory = _peak_mb(args, name, fn, device) if args.memory else math.nan
        results[name] = dict(seconds=timings[name], masks_per_s=args.num_masks / timings[name],
                             peak_mb=memory)
    chunked = f'batched-{args.chunk_size}'
    ratios = dict(batched_vs_loop=timings['loop'] / timings['batched'],
                  chunked_vs_loop=timings['loop'] / timings[chunked],
                  single_pass_vs_batched=timings['batched'] / timings['single-pass'],
                  single_pass_vs_chunked=timings[chunked] / timings['single-pass'])
    threads = torch.get_num_threads()
    print(f'\nmask classification, {args.model} (random weights), {args.size}x{args.size} image, '
          f'{args.num_masks} masks, {args.num_classes} classes, {device} '
          f'({threads} threads), median of {args.repeats}\n')
    print('| mode | s / image | masks / s | peak extra memory, first call (MiB) |')
    print('|---|---|---|---|')
    for name, r in results.items():
        print(f"| {name} | {r['seconds']:.3f} | {r['masks_per_s']:.1f} | {r['peak_mb']:.0f} |")
    print(f"\nspeed-ups: batched vs loop {ratios['batched_vs_loop']:.2f}x, {chunked} vs loop "
          f"{ratios['chunked_vs_loop']:.2f}x; single-pass vs batched "
          f"{ratios['single_pass_vs_batched']:.2f}x, vs {chunked} "
          f"{ratios['single_pass_vs_chunked']:.2f}x")
    out = dict(results=results, ratios=ratios, model=args.model, size=args.size,
               num_masks=args.num_masks, device=str(device), threads=threads)
    if args.out:
        write_json(args.out, out)
    return out


@register_benchmark('mask-classification',
                    help='classify Q proposals: per-mask loop vs batched crops vs single pass')
def add_arguments(parser: argparse.ArgumentParser) -> Callable:
    parser.add_argument('--model', default='ViT-B-16-quickgelu', help='open_clip ViT name')
    parser.add_argument('--size', type=int, default=640, help='image side')
    parser.add_argument('--num-masks', type=int, default=100)
    parser.add_argument('--num-classes', type=int, default=150)
    parser.add_argument('--chunk-size', type=int, default=16, help='crops per CLIP call of the '
                        'chunked batched mode')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--no-memory', dest='memory', action='store_false',
                        help='skip the peak-memory runs')
    parser.add_argument('--out', help='also write the numbers as JSON')
    return run


# --------------------------------------------------------------------------- synthworld
CONFIGS = osp.join('configs', 'mask_adapted')
GT_EVAL = 'ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
FINETUNE = {
    'ft': 'mask-adapted-clip-ft_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py',
    'mpt': 'mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py',
    'ft-mpt': 'mask-adapted-clip-ft-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py',
}
ENSEMBLE = 'ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py'


def _last_metrics(work_dir: str) -> Dict[str, float]:
    """The last entry of the newest training (``scalars.json``) or test log."""
    return last_metrics(work_dir, patterns=(osp.join('*', 'vis_data', 'scalars.json'),
                                            osp.join('*', '*.json')))


def _evaluate(name: str, config: str, options: List[str], work: str,
              proposals_checkpoint: Optional[str] = None) -> Dict[str, float]:
    """``tools/test.py CONFIG`` without a checkpoint: the weights come from ``init_weights``
    (the CLIP ``pretrained`` options; a two-stage config's stage 1 from
    ``proposals_checkpoint`` through its ``Pretrained`` init)."""
    wd = osp.join(work, f'test_{name}')
    os.makedirs(wd, exist_ok=True)
    if proposals_checkpoint:
        options = [*options, f'model.proposal_generator.init_cfg.checkpoint={proposals_checkpoint}']
    run_tool(['tools/test.py', config, '--work-dir', wd, '--cfg-options', *options],
             osp.join(work, f'test_{name}.log'))
    return _last_metrics(wd)


def _synthworld(args: argparse.Namespace) -> Dict[str, dict]:
    if args.mine_with_proposals and not args.proposals_checkpoint:
        raise ValueError('--mine-with-proposals needs --proposals-checkpoint (the trained '
                         'Mask2Former whose proposals are mined)')
    work = osp.abspath(args.work_dir)
    pairs = osp.join(work, 'pairs')
    os.makedirs(work, exist_ok=True)
    data = osp.abspath(args.data_root)
    clip = args.clip
    gt_eval = osp.join(CONFIGS, GT_EVAL)
    loaders = [f'{loader}.dataset.data_root={data}' for loader in ('val_dataloader',
                                                                     'test_dataloader')]
    start = time.time()
    # 1. mining: nouns of the training captions -> best GT-mask region by CLIP; labelled val
    mine_opts = ['--cfg-options', f'model.mask_classifier.clip.pretrained={clip}',
                 f'model.text_classifier.text_encoder.pretrained={clip}']
    limit = ['--max-images', str(args.max_train_images)] if args.max_train_images else []
    limit += ['--one-to-one'] if args.one_to_one else []
    for split, out, extra in (('train', 'train_pairs', limit), ('val', 'val_gt', ['--labelled'])):
        config, regions = gt_eval, ['--seg-dir', osp.join(data, 'ann_dir', split)]
        if split == 'train' and args.mine_with_proposals:
            config = osp.join(CONFIGS, ENSEMBLE)
            regions = ['--checkpoint', args.proposals_checkpoint]
        if not osp.isfile(osp.join(pairs, out, 'pairs.tsv')) or args.force:
            run_tool(['tools/mine_region_pairs.py', config,
                      '--captions', osp.join(data, 'annotations', f'captions_{split}.json'),
                      '--img-dir', osp.join(data, 'img_dir', split), *regions,
                      '--out', osp.join(pairs, out), *extra, *mine_opts],
                     osp.join(work, f'mine_{split}.log'))
    # 2. fine-tuning runs (FT -> MPT starts from FT's export)
    exported, zero_shot = {}, {}
    for name in ('ft', 'mpt', 'ft-mpt'):
        wd = osp.join(work, name)
        exported[name] = osp.join(wd, 'mask_adapted_clip.pt')
        start_weights = exported['ft'] if name == 'ft-mpt' else clip
        options = [f'{loader}.dataset.data_root={pairs}'
                   for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
        options += [f'model.image_tower.pretrained={start_weights}',
                    f'model.text_encoder.pretrained={start_weights}',
                    f'train_cfg.max_epochs={args.epochs}', f'train_cfg.val_interval={args.epochs}',
                    f'default_hooks.checkpoint.interval={args.epochs}',
                    f'param_scheduler.1.end={args.epochs}']
        if not osp.isfile(exported[name]) or args.force:
            run_tool(['tools/train.py', osp.join(CONFIGS, FINETUNE[name]), '--work-dir', wd,
                      '--cfg-options', *options], osp.join(work, f'train_{name}.log'))
        zero_shot[name] = _last_metrics(wd)
    # the same zero-shot region evaluation before fine-tuning (mean fill, no prompts)
    region_loaders = [f'{loader}.dataset.data_root={pairs}'
                      for loader in ('val_dataloader', 'test_dataloader')]
    zero_shot['before'] = _evaluate(
        'regions_before', osp.join(CONFIGS, FINETUNE['ft']), region_loaders + [
            f'model.image_tower.pretrained={clip}', f'model.text_encoder.pretrained={clip}'],
        work)
    # 3. evaluations with ground-truth masks as proposals
    def weights(path: str) -> List[str]:
        return [f'model.mask_classifier.clip.pretrained={path}',
                f'model.text_classifier.text_encoder.pretrained={path}']
    prompts_on = ['model.mask_classifier.clip.use_mask_prompt=True']
    single_pass = ['model.mask_classifier.mode=single_pass']
    value_path = ['model.mask_classifier.value_path=True']
    runs = {
        'mean_fill': (gt_eval, weights(clip)),
        'mpt': (gt_eval, weights(exported['mpt']) + prompts_on),
        'ft': (gt_eval, weights(exported['ft'])),
        'ft_mpt': (gt_eval, weights(exported['ft-mpt']) + prompts_on),
        'single_pass_tokens': (gt_eval, weights(clip) + single_pass),
        'single_pass': (gt_eval, weights(clip) + single_pass + value_path),
        'single_pass_ft': (gt_eval, weights(exported['ft']) + single_pass + value_path),
    }
    if args.proposals_checkpoint:
        ens = osp.join(CONFIGS, ENSEMBLE)
        best = weights(exported['ft-mpt']) + prompts_on
        for label, extra in (('m2f_alone', ['model.classify_with=proposal']),
                             ('m2f_clip_alone', ['model.classify_with=clip']),
                             ('m2f_ensemble', []),
                             ('m2f_ensemble_invalid_proposal',
                              ['model.invalid_clip_prob=proposal']),
                             ('m2f_ensemble_invalid_zero', ['model.invalid_clip_prob=zero'])):
            runs[label] = (ens, best + extra, args.proposals_checkpoint)
    results = {}
    for name, (config, options, *ckpt) in runs.items():
        results[name] = _evaluate(name, config, loaders + options, work, *ckpt)
    _print_synthworld(results, zero_shot, args, time.time() - start, work)
    return dict(segmentation=results, zero_shot=zero_shot)


def _print_synthworld(results: Dict, zero_shot: Dict, args, seconds: float, work: str) -> None:
    labels = {'mean_fill': 'crop mode, mean fill (SynthWorld CLIP)',
              'mpt': '+ mask prompt tuning (CLIP frozen)',
              'ft': '+ full fine-tuning (mean fill)',
              'ft_mpt': '+ FT -> MPT (OVSeg recipe)',
              'single_pass_tokens': 'single pass, pooled last-layer tokens (SynthWorld CLIP)',
              'single_pass': 'single pass, pooled value-path embeddings (SynthWorld CLIP)',
              'single_pass_ft': 'single pass, pooled value-path embeddings (FT CLIP)',
              'm2f_alone': 'Mask2Former proposals, stage-1 classes alone',
              'm2f_clip_alone': 'Mask2Former proposals, FT -> MPT CLIP alone',
              'm2f_ensemble': 'Mask2Former proposals, ensemble lambda 0.7',
              'm2f_ensemble_invalid_proposal': "  ... invalid_clip_prob='proposal'",
              'm2f_ensemble_invalid_zero': "  ... invalid_clip_prob='zero'"}
    mining = 'one-to-one' if args.one_to_one else 'best proposal per noun'
    mining += (', Mask2Former proposals' if args.mine_with_proposals
               else ', train label-map regions')
    lines = [f'SynthWorld val, ground-truth masks as proposals unless stated (CLIP {args.clip}, '
             f'mining: {mining}, {args.epochs} fine-tuning epochs)', '',
             '| stage 2 | mIoU | mIoU seen | mIoU unseen | hIoU |', '|---|---|---|---|---|']
    for key, label in labels.items():
        if key in results:
            m = results[key]
            lines.append(f"| {label} | {pick_metric(m, 'mIoU')} | "
                         f"{pick_metric(m, 'mIoU_seen')} | {pick_metric(m, 'mIoU_unseen')} | "
                         f"{pick_metric(m, 'hIoU')} |")
    lines += ['', 'zero-shot top-1 of GT val regions after fine-tuning:', '',
              '| run | top-1 | seen | unseen |', '|---|---|---|---|']
    for name in ('before', 'ft', 'mpt', 'ft-mpt'):
        m = zero_shot.get(name, {})
        lines.append(f"| {name} | {pick_metric(m, 'top1')} | {pick_metric(m, 'top1_seen')} | "
                     f"{pick_metric(m, 'top1_unseen')} |")
    lines.append(f'\n(total {seconds / 60:.1f} min; logs in {work})')
    write_report(work, '\n'.join(lines), dict(segmentation=results, zero_shot=zero_shot))


@register_benchmark('mask-adapted', help='OVSeg stage 2 on SynthWorld: mine, fine-tune, evaluate')
def add_synthworld_arguments(parser: argparse.ArgumentParser) -> Callable:
    sub = parser.add_subparsers(dest='what', required=True)
    synth = sub.add_parser('synthworld', help='mine pairs, fine-tune CLIP, evaluate (GT masks)')
    synth.add_argument('--work-dir', default='work_dirs/benchmark_mask_adapted_synthworld')
    synth.add_argument('--data-root', default='data/synthworld')
    synth.add_argument('--clip', default=SYNTHWORLD_VIT_CLIP,
                       help="weights of the SynthWorld ViT CLIP 'synthworld-vit-s' "
                       f'({SYNTHWORLD_VIT_CLIP_RECIPE})')
    synth.add_argument('--epochs', type=int, default=5, help='fine-tuning epochs per run')
    synth.add_argument('--max-train-images', type=int, help='mine only this many images')
    synth.add_argument('--proposals-checkpoint',
                       help='trained mask2former-ov_r18 SynthWorld checkpoint: adds the ensemble')
    synth.add_argument('--one-to-one', action='store_true',
                       help='mine with distinct proposals per noun (Hungarian matching)')
    synth.add_argument('--mine-with-proposals', action='store_true',
                       help="mine the train captions against the --proposals-checkpoint "
                       "Mask2Former's class-agnostic proposals, as OVSeg mines, instead of the "
                       'train label maps, whose regions never hold an unseen class')
    synth.add_argument('--force', action='store_true', help='redo existing steps')
    return _synthworld
