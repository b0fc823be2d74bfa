"""``tools/benchmark.py denseclip {speed,synthworld}``: DenseCLIP against its plain CLIP + FPN.

speed
    Random-weight ADE20K models (150 classes) at one input size, batch 1: parameters (text
    encoder apart, parameters a model never uses apart), FLOPs (image path, and the text
    encoder's one-off pass over the K prompts, cached at inference), peak extra memory of one
    forward, and interleaved median forward time; ratios DenseCLIP / baseline.
synthworld
    Trains the SynthWorld DenseCLIP and CLIP + FPN configs (``--arch``: the RN-s CLIP of
    ``make quickstart`` by default, or the ViT-s one) with the same budget through
    ``tools/train.py``, then evaluates with ``tools/test.py``: DenseCLIP (decode head), the
    trained DenseCLIP's score map alone, the baseline, and the zero-shot score map of the
    untrained CLIP (raw class names, no contexts); mIoU over all / seen / unseen classes.
"""
import argparse
import os
import os.path as osp
import time
from typing import Dict, Optional, Tuple

import torch

from .common import (ROOT, count_flops, count_parameters, interleaved_timing, last_metrics,
                        peak_memory_mb, pick_metric,
                        register_benchmark, run_tool, unused_parameters, write_json,
                        write_report)

SPEED_CONFIGS = {
    'rn50': ('denseclip_r50-clip_fpn_8xb4-80k_ade20k-512x512.py',
             'fpn_r50-clip_8xb4-80k_ade20k-512x512.py'),
    'rn101': ('denseclip_r101-clip_fpn_8xb4-80k_ade20k-512x512.py',
              'fpn_r101-clip_8xb4-80k_ade20k-512x512.py'),
    'vit-b16': ('denseclip_vit-b16-clip_fpn_8xb4-80k_ade20k-640x640.py',
                'fpn_vit-b16-clip_8xb4-80k_ade20k-640x640.py'),
}
# SynthWorld CLIP arch: (DenseCLIP config, CLIP + FPN config), default CLIP weights
SYNTH_CONFIGS = {
    'rn-s': ('denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py',
             'fpn_synthclip-rn-s_1xb8-1k_synthworld-128x128.py'),
    'vit-s': ('denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py',
              'fpn_synthclip-vit-s_1xb8-1k_synthworld-128x128.py'),
}
SYNTH_WEIGHTS = {
    'rn-s': 'synthworld-rn-s',  # make quickstart
    # python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
    #     --work-dir work_dirs/synthclip-vit-s
    'vit-s': 'synthworld-vit-s',
}


def _build(config: str, device: str):
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    import ovseg.models  # noqa: F401
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'denseclip', config))
    for part in ('backbone', 'text_encoder'):
        if part in cfg.model:
            cfg.model[part].pretrained = None
    cfg.model.test_cfg = dict(mode='whole')
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model).to(device).eval()  # random weights (pretrained is off)
    if hasattr(model, 'set_vocabulary'):
        from mmseg.datasets import ADE20KDataset
        model.set_vocabulary(ADE20KDataset.METAINFO['classes'])
    return model


def _speed_one(arch: str, size: int, repeats: int, device: str) -> Dict[str, Dict]:
    torch.manual_seed(0)
    names = ('denseclip', 'baseline')
    models = {n: _build(c, device) for n, c in zip(names, SPEED_CONFIGS[arch])}
    x = torch.randn(1, 3, size, size, device=device)
    small = torch.randn(2, 3, 64, 64, device=device)
    rows = {}
    for name, model in models.items():
        row = rows.setdefault(name, {})
        model.train()
        unused = unused_parameters(
            model, lambda m=model: m(small, mode='tensor').float().mean()
            if name == 'baseline' else _tensor_with_text(m, small))
        model.eval()
        row['params_total_M'] = count_parameters(model) / 1e6
        row['params_text_encoder_M'] = count_parameters(
            model, exclude=[n for n, _ in model.named_children() if n != 'text_encoder']) / 1e6
        row['params_unused_M'] = sum(p.numel() for n, p in model.named_parameters()
                                     if n in unused and not n.startswith('text_encoder.')) / 1e6
        row['params_image_M'] = (row['params_total_M'] - row['params_text_encoder_M']
                                 - row['params_unused_M'])
        with torch.no_grad():  # one forward in a forked child, text embeddings cached
            if hasattr(model, '_class_text'):
                model._class_text()
            row['peak_forward_MiB'] = peak_memory_mb(lambda m=model: m.predict(x), device)
    metas = [dict(img_shape=x.shape[2:], ori_shape=x.shape[2:], pad_shape=x.shape[2:])]
    for name, model in models.items():
        with torch.no_grad():
            if hasattr(model, '_class_text'):
                model._class_text()  # cached: the image path, as at inference
            flops = count_flops(model, lambda t, m=model: m.encode_decode(t, metas), (x,))
        rows[name]['GFLOPs_image'] = flops[''] / 1e9
        rows[name]['GFLOPs_by_module'] = {k: round(v / 1e9, 3) for k, v in flops.items() if k}
    dense = models['denseclip']
    with torch.no_grad():
        text_flops = count_flops(dense.text_encoder,
                                 lambda t, c: dense.text_encoder(t, context=c),
                                 (dense.texts, dense.contexts))
    rows['denseclip']['GFLOPs_text_encoder_once'] = text_flops[''] / 1e9

    def _uncached():
        dense._text_cache = None
        return dense._class_text()

    with torch.no_grad():
        times = interleaved_timing({n: (lambda m=m: m.predict(x)) for n, m in models.items()}
                                   | {'text_encoder': _uncached}, repeats=repeats)
    for name in names:
        rows[name]['forward_s'] = times[name]
    rows['denseclip']['text_encoder_once_s'] = times['text_encoder']
    return rows


def _tensor_with_text(model, x):
    """A loss touching every DenseCLIP branch: decode logits and the score map."""
    feats, score = model.extract_feat_and_score(x)
    return model.decode_head.forward(feats).float().mean() + score.float().mean()


def _speed(args) -> None:
    device = args.device
    report = {}
    for arch in args.archs:
        print(f'[benchmark] {arch} at {args.size}x{args.size} on {device} ...', flush=True)
        rows = _speed_one(arch, args.size, args.repeats, device)
        d, b = rows['denseclip'], rows['baseline']
        rows['ratio'] = {
            'forward_time': d['forward_s'] / b['forward_s'],
            'peak_memory': d['peak_forward_MiB'] / max(b['peak_forward_MiB'], 1e-6),
            'GFLOPs_image': d['GFLOPs_image'] / b['GFLOPs_image'],
            'params_image': d['params_image_M'] / b['params_image_M'],
        }
        report[arch] = rows
        _print_speed(arch, rows, args.size, device)
    if args.out:
        write_json(args.out, dict(size=args.size, device=device,
                                  torch_threads=torch.get_num_threads(), results=report),
                   indent=1)


def _print_speed(arch: str, rows: Dict, size: int, device: str) -> None:
    d, b, r = rows['denseclip'], rows['baseline'], rows['ratio']
    print(f'\n{arch}, {size}x{size}, batch 1, {device}, {torch.get_num_threads()} threads')
    print('| model | params image (M) | text enc. (M) | unused (M) | GFLOPs image | '
          'forward (s) | peak fwd mem (MiB) |')
    print('|---|---|---|---|---|---|---|')
    for name, row in (('DenseCLIP', d), ('CLIP + FPN', b)):
        print(f"| {name} | {row['params_image_M']:.1f} | {row['params_text_encoder_M']:.1f} | "
              f"{row['params_unused_M']:.1f} | {row['GFLOPs_image']:.1f} | "
              f"{row['forward_s']:.3f} | {row['peak_forward_MiB']:.0f} |")
    print(f"| ratio | {r['params_image']:.3f} | | | {r['GFLOPs_image']:.3f} | "
          f"{r['forward_time']:.3f} | {r['peak_memory']:.3f} |")
    print(f"text encoder, once per vocabulary (cached at inference): "
          f"{d['GFLOPs_text_encoder_once']:.1f} GFLOPs, {d['text_encoder_once_s']:.3f} s\n")


# --------------------------------------------------------------------------- synthworld
def _synth_configs(args) -> Tuple[str, str]:
    """(DenseCLIP, CLIP + FPN) config paths of ``args.arch``; fills the arch's defaults in."""
    if args.clip is None:
        args.clip = SYNTH_WEIGHTS[args.arch]
    if args.work_dir is None:  # one per arch: finished runs are reused unless --force
        args.work_dir = f'work_dirs/benchmark_denseclip_synthworld_{args.arch}'
    dense, base = (osp.join('configs', 'denseclip', c) for c in SYNTH_CONFIGS[args.arch])
    return dense, base


def _synthworld(args) -> None:
    dense_cfg, base_cfg = _synth_configs(args)
    work = osp.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    common = [f'train_dataloader.dataset.data_root={args.data_root}',
              f'val_dataloader.dataset.data_root={args.data_root}',
              f'test_dataloader.dataset.data_root={args.data_root}',
              f'model.backbone.pretrained={args.clip}']
    warmup = max(1, min(100, args.iters // 10))
    budget = [f'train_cfg.max_iters={args.iters}', f'train_cfg.val_interval={args.iters}',
              f'default_hooks.checkpoint.interval={args.iters}',
              f'param_scheduler.1.end={args.iters}',
              f'param_scheduler.0.end={warmup}', f'param_scheduler.1.begin={warmup}']
    text = [f'model.text_encoder.pretrained={args.clip}']
    runs = {'denseclip': (dense_cfg, common + text), 'baseline': (base_cfg, common)}
    results = {}
    start = time.time()
    for name, (config, options) in runs.items():
        wd = osp.join(work, name)
        ckpt = osp.join(wd, f'iter_{args.iters}.pth')
        if not osp.isfile(ckpt) or args.force:
            run_tool(['tools/train.py', config, '--work-dir', wd, '--cfg-options', *options,
                      *budget],
                     osp.join(work, f'{name}_train.log'))
        evals = {name: []}
        if name == 'denseclip':
            evals['denseclip_score_map'] = ['model.test_cfg.predict_from=score_map']
        for label, extra in evals.items():
            twd = osp.join(work, f'test_{label}')
            run_tool(['tools/test.py', config, ckpt, '--work-dir', twd, '--cfg-options',
                      *options, *extra], osp.join(work, f'test_{label}.log'))
            results[label] = last_metrics(twd)
    # zero-shot: the untrained CLIP, raw names, no learned contexts; score map only. No
    # checkpoint: tools/test.py takes the weights from init_weights (the CLIP's `pretrained`).
    run_tool(['tools/test.py', dense_cfg, '--work-dir', osp.join(work, 'test_zero_shot'),
              '--cfg-options', *common, *text, 'model.context_length=0',
              'model.test_cfg.predict_from=score_map'], osp.join(work, 'test_zero_shot.log'))
    results['zero_shot_score_map'] = last_metrics(osp.join(work, 'test_zero_shot'))
    _print_synthworld(results, args, time.time() - start, work)


def _print_synthworld(results: Dict, args, seconds: float, work: str) -> None:
    labels = {'denseclip': 'DenseCLIP (FPN decode head)',
              'denseclip_score_map': 'DenseCLIP, score map alone',
              'baseline': 'CLIP + FPN baseline',
              'zero_shot_score_map': 'zero-shot CLIP score map (no training)'}
    lines = [f'SynthWorld val ({args.iters} iterations of batch 8 each, '
             f'CLIP {args.arch} {args.clip})',
             '', '| model | mIoU | mIoU seen | mIoU unseen | hIoU |', '|---|---|---|---|---|']
    for key, label in labels.items():
        m = results.get(key, {})
        lines.append(f"| {label} | {pick_metric(m, 'mIoU')} | {pick_metric(m, 'mIoU_seen')} | "
                     f"{pick_metric(m, 'mIoU_unseen')} | {pick_metric(m, 'hIoU')} |")
    lines.append(f'\n(total {seconds / 60:.1f} min; logs in {work})')
    write_report(work, '\n'.join(lines), results)


@register_benchmark('denseclip',
                    help='DenseCLIP vs CLIP + FPN: speed/memory/FLOPs, SynthWorld mIoU')
def setup(parser: argparse.ArgumentParser):
    sub = parser.add_subparsers(dest='what', required=True)
    speed = sub.add_parser('speed', help='params, FLOPs, peak memory and forward time')
    speed.add_argument('--archs', nargs='+', default=['rn50', 'vit-b16'],
                       choices=sorted(SPEED_CONFIGS))
    speed.add_argument('--size', type=int, default=512, help='square input side')
    speed.add_argument('--repeats', type=int, default=5, help='timed forwards per model')
    speed.add_argument('--device', default='cpu')
    speed.add_argument('--out', help='json report to write')
    synth = sub.add_parser('synthworld', help='train + evaluate on SynthWorld (same budget)')
    synth.add_argument('--arch', default='rn-s', choices=sorted(SYNTH_CONFIGS),
                       help='SynthWorld CLIP: picks the config pair and the default --clip')
    synth.add_argument('--work-dir',
                       help='defaults to work_dirs/benchmark_denseclip_synthworld_ARCH')
    synth.add_argument('--data-root', default='data/synthworld')
    synth.add_argument('--clip',
                       help='SynthWorld CLIP weights; defaults to '
                       + ', '.join(f'{v} ({k})' for k, v in SYNTH_WEIGHTS.items()))
    synth.add_argument('--iters', type=int, default=1000, help='training iterations per model')
    synth.add_argument('--force', action='store_true', help='retrain existing runs')

    def run(args: argparse.Namespace) -> Optional[Dict]:
        return _speed(args) if args.what == 'speed' else _synthworld(args)
    return run
