"""``tools/benchmark.py text-retrieval-encode``: gallery encoding images/s of FDP against the
bare CLIP image encoder it is built on, side by side in one run.

FDP's ``encode_images`` (``ovseg.models.text_retrieval.FDPRetriever``: the frozen CLIP trunk,
the text score head, the text-biased attention pool, the "scene text" probe) against the same
model's CLIP image tower (``backbone.visual``: trunk + CLIP's own attention pool, its positional
embedding at the same grid), on the same random batch, timed round-robin
(``interleaved_timing``) so load drifts hit both alike. Random weights (``pretrained=None``):
speed does not depend on them. Also FLOPs per image (mmengine's analyzer), which the machine's
load does not change, and FDP's FLOPs by part.

    python tools/benchmark.py text-retrieval-encode [--settings synthworld paper] [--images 8]
        [--repeats 3] [--threads 1]

Settings: ``synthworld`` = ``configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py`` (RN-S,
160 px); ``paper`` = ``configs/text_retrieval/fdp_r50-clip_iiit-str-640.py`` (OpenAI RN50
architecture, 640 px). Issue 16's target: FDP within 10 % of CLIP's images/s.
"""
import argparse
import os
import os.path as osp
import shlex
import sys
from typing import Dict

from .common import ROOT, count_flops, interleaved_timing, register_benchmark, write_report

SETTINGS = {
    'synthworld': 'configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py',
    'paper': 'configs/text_retrieval/fdp_r50-clip_iiit-str-640.py',
}


def encode_speed(config: str, *, images: int, repeats: int) -> Dict[str, float]:
    """images/s and GFLOPs per image of CLIP's image tower and of FDP's ``encode_images`` for
    ``config`` (random weights), on one random batch of ``images``."""
    import torch
    from mmengine.config import Config

    from ovseg.apis.retrieval import load_retriever_model
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.model.pretrained = None
    model = load_retriever_model(cfg)
    size = cfg.model.image_size
    batch = torch.randn(images, 3, size, size, generator=torch.Generator().manual_seed(0))
    fns = {'clip': lambda: model.backbone.visual(batch),
           'fdp': lambda: model.encode_images(batch)[0]}
    with torch.no_grad():
        seconds = interleaved_timing(fns, repeats=repeats)
        clip_flops = count_flops(model.backbone, lambda x: model.backbone.visual(x), (batch,))
        fdp_flops = count_flops(model, lambda x: model.encode_images(x)[0], (batch,))
    row = dict(config=config, model_name=cfg.model.model_name, image_size=size, images=images,
               clip_images_per_s=images / seconds['clip'],
               fdp_images_per_s=images / seconds['fdp'],
               clip_gflops_per_image=clip_flops[''] / images / 1e9,
               fdp_gflops_per_image=fdp_flops[''] / images / 1e9,
               fdp_gflops_by_part={k: v / images / 1e9 for k, v in fdp_flops.items()
                                   if k and v})
    row['fdp_over_clip'] = row['fdp_images_per_s'] / row['clip_images_per_s']
    return row


@register_benchmark('text-retrieval-encode', help='gallery encoding images/s of FDP vs the '
                    'bare CLIP image encoder (RN-S 160 px, RN50 640 px; random weights)')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--settings', nargs='+', choices=sorted(SETTINGS),
                        default=['synthworld', 'paper'])
    parser.add_argument('--images', type=int, default=8,
                        help='images per encoding call (tools/build_gallery.py: 8)')
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed calls per model (after one warm-up), median kept')
    parser.add_argument('--threads', type=int, default=1, help='torch threads')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_text_retrieval_encode')

    def run(args) -> None:
        import torch
        torch.set_num_threads(args.threads)
        work = osp.join(ROOT, args.work_dir)
        os.makedirs(work, exist_ok=True)
        command = 'python tools/benchmark.py ' + shlex.join(sys.argv[1:]
                                                            or ['text-retrieval-encode'])
        results = dict(command=command, threads=torch.get_num_threads(), rows=[])
        lines = [f'{torch.get_num_threads()} torch thread(s), batches of {args.images} random '
                 f'images, median of {args.repeats} calls; `{command}`', '',
                 '| setting | CLIP | input | CLIP img/s | FDP img/s | FDP / CLIP | '
                 'CLIP GFLOPs/img | FDP GFLOPs/img |', '|---|---|---|---|---|---|---|---|']
        parts = []
        for name in args.settings:
            row = dict(setting=name, **encode_speed(SETTINGS[name], images=args.images,
                                                    repeats=args.repeats))
            results['rows'].append(row)
            size = row['image_size']
            lines.append(
                f'| {name} | {row["model_name"]} | {size}x{size} | '
                f'{row["clip_images_per_s"]:.3g} | {row["fdp_images_per_s"]:.3g} | '
                f'{100 * row["fdp_over_clip"]:.0f} % | {row["clip_gflops_per_image"]:.4g} | '
                f'{row["fdp_gflops_per_image"]:.4g} |')
            parts.append(f'{name}: ' + ', '.join(f'{k} {v:.3g}' for k, v in
                                                 row['fdp_gflops_by_part'].items()))
        lines += ['', 'FDP GFLOPs per image by part: ' + '; '.join(parts)]
        write_report(work, '\n'.join(lines), results)
    return run
