"""The README's main command: SynthWorld -> small CLIP -> zero-shot evaluation -> a DenseCLIP
segmentation model for the web demo, no download.

    python tools/quickstart.py [--work-dir work_dirs/quickstart] [--data-root data/synthworld]
                               [--steps world,clip,zero-shot,denseclip] [--force]

Each step runs the same public tool a user would run (``tools/synthworld.py``,
``tools/train.py``, ``tools/test.py``) in a subprocess, and is skipped when its output
already exists (``--force`` reruns everything). The console shows one line and one
progress bar per step; each tool's full output goes to ``WORK_DIR/logs/<step>.log``
(on failure the log's last lines are printed). The results table is written to
``WORK_DIR/results.md`` and the world's contact sheet is copied next to it.
"""
import argparse
import functools
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import time
from collections import deque
from typing import Callable, Dict, List, Optional, Tuple

from tqdm import tqdm

from benchmarks.common import ROOT, last_metrics, tool_env  # tools/benchmarks/

from ovseg.apis.cli import run_cli

CLIP_CONFIG = 'configs/synthworld/synthclip_rn-s_synthworld-96.py'
CLIP_NAME = 'synthclip-rn-s'  # training run folder
CLIP_WEIGHTS = 'synthworld-rn-s'  # the weights name the RN heads' configs read (ovseg cache)
WORLD = dict(num_train=2000, num_val=200, num_closeup=2000, seed=0)
# The segmentation model demo/app.py serves: DenseCLIP on the CLIP above, any vocabulary through
# its pixel-text score map (the decode head for the 21 SynthWorld classes).
DENSECLIP_CONFIG = 'configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-500_synthworld-128x128.py'
DENSECLIP_NAME = 'denseclip-rn-s'  # training run folder
DENSECLIP_WEIGHTS = 'synthworld-quickstart-denseclip-rn-s'  # weights and zoo name


LOG_TAIL = 40  # lines of a failed step's log printed to the console

# Progress lines of the tools: mmengine's LoggerHook ("Iter(train) [ 10/420]  lr: ...") and the
# SynthWorld generator ("[synthworld] train: 500/2000 images").
_PROGRESS = re.compile(r'Iter\((?P<mode>\w+)\)\s*\[\s*(?P<done>\d+)/(?P<total>\d+)\]'
                       r'|\[synthworld\] (?P<split>\w+): (?P<made>\d+)/(?P<count>\d+) images')


def parse_progress(line: str) -> Optional[Tuple[str, int, int]]:
    """``(phase, done, total)`` of a tool's progress line, e.g. ``('train', 10, 420)``; None
    for any other line."""
    match = _PROGRESS.search(line)
    if match is None:
        return None
    if match['mode']:
        return match['mode'], int(match['done']), int(match['total'])
    return match['split'], int(match['made']), int(match['count'])


def step_log(args, step: str) -> str:
    """Where step ``step`` writes its tool's full output: ``WORK_DIR/logs/<step>.log``."""
    return osp.join(args.work_dir, 'logs', f'{step}.log')


def _run(args: List[str], log: str) -> None:
    """Run ``python *args`` from the repository root, its output into ``log`` and its progress
    into one bar on the console; on failure print the log's last lines and exit.

    Written by hand because neither mmengine nor tqdm follows a child process's log.
    """
    os.makedirs(osp.dirname(log), exist_ok=True)
    env = dict(tool_env(), PYTHONUNBUFFERED='1')  # progress lines arrive as they are written
    tail: deque = deque(maxlen=LOG_TAIL)
    phase = None
    with open(log, 'w') as out, tqdm(desc=osp.splitext(osp.basename(log))[0], unit='it',
                                      leave=True, dynamic_ncols=True) as bar:
        out.write(f'$ {sys.executable} {" ".join(args)}\n')
        out.flush()
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, text=True,
                                errors='replace', stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        for line in proc.stdout:
            out.write(line)
            tail.append(line.rstrip('\n'))
            progress = parse_progress(line)
            if progress is None:
                continue
            if progress[0] != phase:  # a new phase (e.g. train -> val) restarts the same bar
                phase = progress[0]
                bar.reset(total=progress[2])
                bar.set_postfix_str(phase)
            bar.update(progress[1] - bar.n)
        returncode = proc.wait()
    if returncode:
        print(f'[quickstart] last {len(tail)} lines of {log}:', file=sys.stderr)
        print('\n'.join(tail), file=sys.stderr)
        sys.exit(f'error: python {" ".join(args)} exited with status {returncode}; '
                 f'full log: {log}')


def step_world(args) -> None:
    """Generate SynthWorld (2,000 train + 200 val + 2,000 close-up images), contact sheet."""
    meta = osp.join(args.data_root, 'meta.json')
    if osp.isfile(meta) and not args.force and _world_matches(meta):
        print(f'[quickstart] SynthWorld exists at {args.data_root}; skipping generation')
    else:
        _run(['tools/synthworld.py', '--out', args.data_root, '--contact-sheet', '--overwrite',
              *(f'--{key.replace("_", "-")}={value}' for key, value in WORLD.items())],
             step_log(args, 'world'))
    shutil.copy(osp.join(args.data_root, 'contact_sheet.png'), args.work_dir)


def _world_matches(meta_file: str) -> bool:
    """Whether an existing world was generated with :data:`WORLD`'s counts and seed by this
    version of the generator (``FORMAT_VERSION``)."""
    from ovseg.datasets.synthworld.generate import FORMAT_VERSION
    with open(meta_file) as f:
        meta = json.load(f)
    return (meta.get('version') == FORMAT_VERSION
            and all(meta.get(key) == value for key, value in WORLD.items()))


@functools.lru_cache(maxsize=None)
def _read_config(path: str):
    """A config of the repository, read once per run."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(ROOT, path))


def _clip_config():
    """:data:`CLIP_CONFIG`."""
    return _read_config(CLIP_CONFIG)


def _data_root_options(args, config: Optional[str] = None) -> List[str]:
    """``--cfg-options`` that point every dataset of ``config`` (default :data:`CLIP_CONFIG`)
    at ``--data-root`` (a ``ConcatDataset`` has one per part)."""
    cfg = _read_config(config or CLIP_CONFIG)
    options = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        keys = ([f'{loader}.dataset.datasets.{i}' for i in range(len(dataset.datasets))]
                if 'datasets' in dataset else [f'{loader}.dataset'])
        options += [f'{key}.data_root={args.data_root}' for key in keys]
    return options


def step_clip(args) -> None:
    """Pretrain the small SynthWorld CLIP; registers the weights 'synthworld-rn-s'.

    The config's export hook writes WORK_DIR/synthclip-rn-s.pt (an open_clip state dict) and
    copies it into the ovseg weights cache, where the SynthWorld head configs read it as
    ``pretrained='synthworld-rn-s'``.
    """
    from ovseg.utils.weights import weights_path
    weights = weights_path(CLIP_WEIGHTS)
    if osp.isfile(weights) and not args.force:
        print(f'[quickstart] {weights} exists; skipping pretraining')
        return
    _run(['tools/train.py', CLIP_CONFIG, '--work-dir', osp.join(args.work_dir, CLIP_NAME),
          '--cfg-options', *_data_root_options(args), f'custom_hooks.1.out_dir={args.work_dir}'],
         step_log(args, 'clip'))


def step_zero_shot(args) -> Dict[str, float]:
    """Zero-shot crop classification (seen / unseen) and caption retrieval on val."""
    train_dir = osp.join(args.work_dir, CLIP_NAME)
    with open(osp.join(train_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    test_dir = osp.join(args.work_dir, f'{CLIP_NAME}_test')
    _run(['tools/test.py', CLIP_CONFIG, checkpoint, '--work-dir', test_dir,
          '--cfg-options', *_data_root_options(args)], step_log(args, 'zero-shot'))
    return last_metrics(test_dir)


def step_denseclip(args) -> Dict[str, float]:
    """Train DenseCLIP on the SynthWorld CLIP; registers 'synthworld-quickstart-denseclip-rn-s'.

    The config's ``PublishWeightsHook`` writes the trained weights into the ovseg weights cache
    under :data:`DENSECLIP_WEIGHTS`, the zoo model of the same name that ``python demo/app.py``
    serves. Returns the val mIoU (decode head, all 21 classes) as ``denseclip/<key>``.
    """
    from ovseg.utils.weights import weights_path
    weights = weights_path(DENSECLIP_WEIGHTS)
    train_dir = osp.join(args.work_dir, DENSECLIP_NAME)
    if osp.isfile(weights) and not args.force:
        print(f'[quickstart] {weights} exists; skipping DenseCLIP training')
    else:
        _run(['tools/train.py', DENSECLIP_CONFIG, '--work-dir', train_dir, '--cfg-options',
              *_data_root_options(args, DENSECLIP_CONFIG)], step_log(args, 'denseclip'))
    try:
        scores = last_metrics(train_dir, patterns=('*/vis_data/scalars.json',), key='mIoU')
    except FileNotFoundError:  # weights from an earlier run elsewhere
        return {}
    return {f'denseclip/{k}': v for k, v in scores.items() if k.startswith(('mIoU', 'hIoU'))}


def write_results(path: str, metrics: Dict[str, float], seconds: float) -> str:
    """Markdown table of the zero-shot and DenseCLIP metrics; returns its text."""
    rows = [(k.split('/', 1)[-1], v) for k, v in metrics.items() if k.startswith('zero_shot/')]
    seg = [(k.split('/', 1)[-1], v) for k, v in metrics.items() if k.startswith('denseclip/')]
    templates = _clip_config().model.templates
    lines = ['# ovseg quickstart results', '',
             f'SynthWorld CLIP (`{CLIP_CONFIG}`), evaluated zero-shot on SynthWorld val '
             f'(prompt templates: `{templates}`).', '',
             '| metric | value |', '|---|---|']
    lines += [f'| {name} | {value:.2f} |' for name, value in rows]
    if seg:
        lines += ['', f'DenseCLIP on that CLIP (`{DENSECLIP_CONFIG}`, weights '
                      f'`{DENSECLIP_WEIGHTS}`: `python demo/app.py`), SynthWorld val, decode '
                      'head, 21 classes.', '', '| metric | value |', '|---|---|']
        lines += [f'| {name} | {value:.2f} |' for name, value in seg]
    lines += ['', f'Total time: {seconds / 60:.1f} min.', '']
    text = '\n'.join(lines)
    with open(path, 'w') as f:
        f.write(text)
    return text


STEPS: Dict[str, Callable] = {'world': step_world, 'clip': step_clip, 'zero-shot': step_zero_shot,
                              'denseclip': step_denseclip}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--data-root', default='data/synthworld')
    parser.add_argument('--steps', default=','.join(STEPS),
                        help=f'comma-separated subset of {list(STEPS)}')
    parser.add_argument('--force', action='store_true', help='rerun steps whose outputs exist')
    args = parser.parse_args()
    steps = args.steps.split(',')
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f'unknown steps {unknown}; choose from {list(STEPS)}')
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    metrics: Dict[str, float] = {}
    for name in steps:
        print(f'[quickstart] step {name}: {STEPS[name].__doc__.splitlines()[0]} '
              f'(log: {step_log(args, name)})', flush=True)
        metrics.update(STEPS[name](args) or {})
    if metrics:
        print(write_results(osp.join(args.work_dir, 'results.md'), metrics, time.time() - start))
    print(f'[quickstart] done in {(time.time() - start) / 60:.1f} min; outputs in {args.work_dir}, '
          f'full logs in {osp.join(args.work_dir, "logs")}')


if __name__ == '__main__':
    run_cli(main)
