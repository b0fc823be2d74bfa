"""``tools/benchmark.py demo-memory``: peak memory of ``demo/image_demo.py`` by image size.

Builds a SynthWorld DenseCLIP config with random weights (``pretrained`` off: memory does not
depend on the weights), saves it as a checkpoint, writes one synthetic image per
``--sizes`` entry and runs the demo on each in a fresh process. The peak is that process's
maximum resident set size (``ru_maxrss`` of ``os.wait4``), so nothing this process holds
counts. Prints one row per size with the command that produced it.

    python tools/benchmark.py demo-memory [--sizes 160x160 4000x3000 8000x8000]
        [--config configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py]
"""
import argparse
import os
import os.path as osp
import shlex
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import numpy as np

from .common import ROOT, register_benchmark, tool_env, write_report

DEFAULT_CONFIG = 'configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py'
_OPTIONS = ['model.backbone.pretrained=None', 'model.text_encoder.pretrained=None']


def _size(text: str) -> Tuple[int, int]:
    """'WIDTHxHEIGHT' -> (width, height)."""
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected WIDTHxHEIGHT, got {text!r}') from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f'sides must be positive, got {text!r}')
    return width, height


def save_random_checkpoint(config: str, path: str) -> None:
    """Build ``config`` (relative to the repository root) with pretrained weights off and save
    its random weights with the dataset's classes as ``meta.dataset_meta``."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    from mmseg.registry import DATASETS

    import ovseg.datasets  # noqa: F401
    import ovseg.models  # noqa: F401
    from ovseg.testing import disable_pretrained
    cfg = Config.fromfile(osp.join(ROOT, config))
    disable_pretrained(cfg.model)
    dataset = DATASETS.get(cfg.test_dataloader.dataset.type)
    meta = dict(classes=list(dataset.METAINFO['classes']))
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(dataset_meta=meta)), path)


def write_image(path: str, width: int, height: int) -> None:
    """A smooth synthetic RGB image (compresses well, so huge images stay small on disk)."""
    import cv2
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([255 * x / max(width - 1, 1), 255 * y / max(height - 1, 1),
                      127.5 + 127.5 * np.sin((x + y) / 37.0)], axis=-1)
    cv2.imwrite(path, image.astype(np.uint8))


def peak_rss_of(cmd: List[str], log: str) -> Tuple[float, float]:
    """Run ``python *cmd`` from the repository root in a fresh process; (peak RSS in MiB,
    seconds). Raises RuntimeError when it fails (its output is in ``log``)."""
    start = time.perf_counter()
    with open(log, 'w') as f:
        proc = subprocess.Popen([sys.executable, *cmd], cwd=ROOT, env=tool_env(),
                                stdout=f, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f'command failed ({proc.returncode}); see {log}')
    return usage.ru_maxrss / 1024, seconds  # ru_maxrss is in KiB on Linux


def measure(config: str, sizes: List[Tuple[int, int]], work: str) -> List[Dict]:
    """Peak RSS of the demo on ``config`` for each (width, height) in ``sizes``."""
    os.makedirs(work, exist_ok=True)
    ckpt = osp.join(work, 'random.pth')
    save_random_checkpoint(config, ckpt)
    rows = []
    for width, height in sizes:
        img = osp.join(work, f'img_{width}x{height}.png')
        write_image(img, width, height)
        cmd = ['demo/image_demo.py', img, config, ckpt, '--out-dir',
               osp.join(work, f'out_{width}x{height}'), '--cfg-options', *_OPTIONS]
        print(f'[benchmark] $ python {shlex.join(cmd)}', flush=True)
        peak, seconds = peak_rss_of(cmd, osp.join(work, f'demo_{width}x{height}.log'))
        rows.append(dict(size=f'{width}x{height}', peak_rss_MiB=round(peak),
                         seconds=round(seconds, 1), command='python ' + shlex.join(cmd)))
    return rows


@register_benchmark('demo-memory', help='peak memory (max RSS) of demo/image_demo.py by '
                    'image size, random-weight SynthWorld DenseCLIP')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--sizes', nargs='+', type=_size,
                        default=[(160, 160), (4000, 3000), (8000, 8000)],
                        help='image sizes WIDTHxHEIGHT')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='segmentation config, relative to the repository root')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_demo_memory')

    def run(args) -> None:
        work = osp.join(ROOT, args.work_dir)
        rows = measure(args.config, args.sizes, work)
        lines = [f'demo/image_demo.py on {args.config} (random weights), peak RSS of a '
                 'fresh process', '', '| image | peak RSS (MiB) | seconds |', '|---|---|---|']
        lines += [f'| {r["size"]} | {r["peak_rss_MiB"]} | {r["seconds"]} |' for r in rows]
        write_report(work, '\n'.join(lines), dict(config=args.config, rows=rows))
    return run
