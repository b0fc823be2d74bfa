"""``tools/benchmark.py inferencer``: images/s of ``OVSegInferencer`` against the bare model.

Both paths segment the same folder of synthetic images in batches of ``--batch-size``:

- ``model``: the batches already read, through the test pipeline and the data preprocessor
  (done once, before timing), then ``model.predict`` (mmseg's postprocess to the original
  size), as the test loop of ``tools/test.py`` runs it;
- ``inferencer``: ``inferencer(folder, batch_size=...)``: reading each file, the test
  pipeline, the preprocessor, ``predict`` at the model's resolution, the label map brought to
  the image size, class scores, plain-data results (no drawing, no files).

Timed round-robin (``interleaved_timing``, median of ``--repeats``), random weights
(``pretrained`` off: speed does not depend on them). The overhead is the inferencer's extra
time per image over the bare model's, reading and decoding the files included.

    python tools/benchmark.py inferencer [--config CONFIG] [--num-images 16] [--size 160]
        [--batch-size 4] [--repeats 3] [--device cpu] [--cfg-options k=v ...]
"""
import argparse
import os
import os.path as osp
import shlex
import sys
from typing import Dict, List

import torch
from mmengine.config import DictAction

from .common import ROOT, interleaved_timing, register_benchmark, write_report
from .demo_memory import DEFAULT_CONFIG, write_image

_NO_PRETRAINED = dict(model=dict(backbone=dict(pretrained=None),
                                 text_encoder=dict(pretrained=None)))


def _bare_batches(model, folder: str, batch_size: int) -> List[dict]:
    """The folder's images through the test pipeline and the preprocessor, in batches."""
    from mmengine.dataset import Compose, pseudo_collate
    steps = model.cfg.get('test_pipeline') or model.cfg.test_dataloader.dataset.pipeline
    pipeline = Compose([s for s in steps if s['type'] != 'LoadAnnotations'])
    files = sorted(osp.join(folder, f) for f in os.listdir(folder))
    data = [pipeline(dict(img_path=f)) for f in files]
    return [model.data_preprocessor(pseudo_collate(data[i:i + batch_size]), False)
            for i in range(0, len(data), batch_size)]


def measure(config: str, *, folder: str, batch_size: int, repeats: int, device: str,
            cfg_options: dict) -> Dict[str, float]:
    """Seconds per image of both paths and the inferencer's overhead in percent."""
    from ovseg.apis import OVSegInferencer
    inferencer = OVSegInferencer(osp.join(ROOT, config), device=device, show_progress=False,
                                 cfg_options=cfg_options)
    model = inferencer.model
    inferencer(folder, batch_size=batch_size)  # sets the model's own vocabulary (as test.py)
    batches = _bare_batches(model, folder, batch_size)
    num = sum(len(b['data_samples']) for b in batches)

    def bare() -> None:
        with torch.no_grad():
            for batch in batches:
                model.predict(batch['inputs'], batch['data_samples'])

    seconds = interleaved_timing(
        dict(model=bare, inferencer=lambda: inferencer(folder, batch_size=batch_size)),
        repeats=repeats)
    per_image = {name: s / num for name, s in seconds.items()}
    overhead = 100 * (per_image['inferencer'] / per_image['model'] - 1)
    return dict(images=num, model_s_per_image=per_image['model'],
                inferencer_s_per_image=per_image['inferencer'], overhead_percent=overhead)


@register_benchmark('inferencer', help='images/s of OVSegInferencer against the bare model '
                    'predict on the same images, side by side')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='segmentation config, relative to the repository root')
    parser.add_argument('--num-images', type=int, default=16)
    parser.add_argument('--size', type=int, default=160, help='square image side')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='config overrides (pretrained weights are off)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_inferencer')

    def run(args) -> None:
        from mmengine.config import Config
        work = osp.join(ROOT, args.work_dir)
        folder = osp.join(work, 'images')
        os.makedirs(folder, exist_ok=True)
        for i in range(args.num_images):
            write_image(osp.join(folder, f'{i:04d}.png'), args.size, args.size)
        options = Config(_NO_PRETRAINED)
        options.merge_from_dict(args.cfg_options)
        row = measure(args.config, folder=folder, batch_size=args.batch_size,
                      repeats=args.repeats, device=args.device,
                      cfg_options=options.to_dict())
        command = 'python tools/benchmark.py ' + shlex.join(sys.argv[1:] or ['inferencer'])
        lines = [f'{row["images"]} images of {args.size} px, batch {args.batch_size}, '
                 f'{args.config} (random weights), {args.device}; `{command}`', '',
                 '| path | images/s | s/image |', '|---|---|---|']
        for name in ('model', 'inferencer'):
            s = row[f'{name}_s_per_image']
            lines.append(f'| {name} | {1 / s:.2f} | {s:.4f} |')
        lines += ['', f'inferencer overhead: {row["overhead_percent"]:+.1f} %']
        write_report(work, '\n'.join(lines), dict(config=args.config, command=command, **row))
    return run
