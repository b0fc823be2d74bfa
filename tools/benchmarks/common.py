"""Registry of ``tools/benchmark.py`` subcommands plus measuring helpers they share.

(Formerly ``ovseg/apis/benchmark.py``; the benchmarks are tools, not part of the package.)
A head adds ``tools/benchmarks/<head>.py`` that defines its subcommand::

    @register_benchmark('denseclip', help='...')
    def add_arguments(parser): ...      # returns the function that runs the parsed args

``tools/benchmark.py`` imports every module of ``tools/benchmarks/``, so a new file is enough.
Helpers: parameter counts, FLOPs (mmengine's fvcore-style analyzer, 1 FLOP = 1 multiply-add,
plus handles for fused attention), interleaved wall-clock timing and the peak resident memory
of a call (GPU: ``torch.cuda.max_memory_allocated``; CPU: a forked child's ``VmHWM``), and
the plumbing of the SynthWorld recipes: run a ``tools/`` script, read its last metrics, load a
config with ``--cfg-options`` strings, write the report. Every benchmark runs inside
:func:`benchmark_weights_cache`, so the weights its trainings publish by name never replace the
user's.
"""
import argparse
import glob
import importlib
import json
import os
import os.path as osp
import pkgutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import torch
from torch import nn

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# The SynthWorld ViT CLIP of the two-stage configs (object names + masked regions) and the
# command that writes it: the default --clip of the two-stage SynthWorld benchmarks.
SYNTHWORLD_VIT_CLIP = 'synthworld-vit-s-regions'  # a weights name (ovseg.utils.weights)
SYNTHWORLD_VIT_CLIP_RECIPE = ('python tools/train.py '
                              'configs/synthworld/synthclip_vit-s_synthworld-regions-96.py '
                              '--work-dir work_dirs/synthclip-vit-s-regions')


@dataclass
class Benchmark:
    """One subcommand: ``setup(parser)`` adds its options and returns ``run(args)``."""
    name: str
    help: str
    setup: Callable


_BENCHMARKS: Dict[str, Benchmark] = {}


def register_benchmark(name: str, *, help: str) -> Callable:
    """Register ``setup(parser) -> run`` as subcommand ``name`` of ``tools/benchmark.py``."""
    def wrap(setup: Callable) -> Callable:
        if name in _BENCHMARKS:
            raise KeyError(f'benchmark {name!r} is already registered')
        _BENCHMARKS[name] = Benchmark(name, help, setup)
        return setup
    return wrap


def load_benchmarks() -> Dict[str, Benchmark]:
    """Import every module of ``tools/benchmarks/`` (the package this module is in) and
    return the registry."""
    for info in pkgutil.iter_modules([osp.dirname(osp.abspath(__file__))]):
        if info.name != 'common':
            importlib.import_module(f'{__package__}.{info.name}')
    return dict(_BENCHMARKS)


def list_benchmarks() -> List[str]:
    """Names accepted by ``tools/benchmark.py``."""
    return sorted(load_benchmarks())


# --------------------------------------------------------------------------- parameters
def count_parameters(model: nn.Module, *, exclude: Sequence[str] = ()) -> int:
    """Number of parameters whose names start with none of ``exclude``."""
    return sum(p.numel() for n, p in model.named_parameters() if not n.startswith(tuple(exclude)))


def unused_parameters(model: nn.Module, loss_fn: Callable[[], torch.Tensor]) -> List[str]:
    """Names of trainable parameters that get no gradient from ``loss_fn()`` (e.g. a CLIP
    attention pool that a plain baseline never calls)."""
    model.zero_grad(set_to_none=True)
    loss_fn().backward()
    names = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    model.zero_grad(set_to_none=True)
    return names


# --------------------------------------------------------------------------- FLOPs
def _native_mha_flop(inputs: List[Any], outputs: List[Any]) -> int:
    """aten::_native_multi_head_attention: q/k/v/out projections and the two matmuls."""
    from mmengine.analysis.jit_handles import get_shape
    q, k = get_shape(inputs[0]), get_shape(inputs[1])
    *batch, lq, dim = q
    ls = k[-2]
    b = 1
    for s in batch:
        b *= s
    return b * (2 * lq * dim * dim + 2 * ls * dim * dim + 2 * lq * ls * dim)


def _sdpa_flop(inputs: List[Any], outputs: List[Any]) -> int:
    """aten::scaled_dot_product_attention: QK^T and AV."""
    from mmengine.analysis.jit_handles import get_shape
    q, k = get_shape(inputs[0]), get_shape(inputs[1])
    *batch, lq, dim = q
    b = 1
    for s in batch:
        b *= s
    return 2 * b * lq * k[-2] * dim


class _Call(nn.Module):
    def __init__(self, module: nn.Module, fn: Callable) -> None:
        super().__init__()
        self.module = module
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def count_flops(module: nn.Module, fn: Callable, inputs: tuple) -> Dict[str, int]:
    """FLOPs (multiply-adds) of ``fn(*inputs)``, total and per direct child of ``module``.

    Args:
        module (nn.Module): the model ``fn`` uses (for the per-module breakdown).
        fn (Callable): the computation to trace, e.g. ``lambda x: model.encode_decode(x, None)``.
        inputs (tuple): its tensor arguments.

    Returns:
        dict[str, int]: ``''`` for the total and one entry per child module name.
    """
    from mmengine.analysis import FlopAnalyzer
    wrapper = _Call(module, fn)
    analyzer = FlopAnalyzer(wrapper, inputs)
    analyzer.set_op_handle('aten::_native_multi_head_attention', _native_mha_flop,
                           'aten::scaled_dot_product_attention', _sdpa_flop)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    with torch.no_grad():
        by_module = analyzer.by_module()
    out = {'': by_module.get('', 0)}
    for name, _ in module.named_children():
        out[name] = by_module.get(f'module.{name}', 0)
    return out


# --------------------------------------------------------------------------- time / memory
def interleaved_timing(fns: Dict[str, Callable[[], Any]], *, repeats: int = 5,
                       warmup: int = 1) -> Dict[str, float]:
    """Median seconds per call of each function, run round-robin so load drifts hit all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def device_synchronizer(device: torch.device) -> Callable[[], None]:
    """A call that waits for the work queued on ``device`` (CUDA runs asynchronously, so a timer
    must wait for it); on CPU it does nothing."""
    if torch.device(device).type == 'cuda':
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def _status_kb(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/self/status')


def peak_memory_mb(fn: Callable[[], Any], device: Optional[torch.device] = None) -> float:
    """Extra memory (MiB) at the peak of ``fn()`` over what was allocated before.

    CUDA: ``max_memory_allocated`` after a reset. CPU (Linux): ``fn`` runs in a forked child
    whose peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs``) minus its RSS before
    the call is reported, so allocator caches of earlier calls in this process do not hide it;
    the child runs single-threaded (libgomp thread pools do not survive a fork).
    """
    if device is not None and torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        fn()
        torch.cuda.synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2 ** 20
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read)
            torch.set_num_threads(1)  # libgomp's pool does not survive fork: stay serial
            before = _status_kb('VmRSS')
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
            fn()
            os.write(write, str(_status_kb('VmHWM') - before).encode())
        except BaseException:  # noqa: BLE001 (report nothing; the parent raises)
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as f:
        text = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not text:
        raise RuntimeError('memory measurement child failed')
    return int(text) / 1024


# --------------------------------------------------------------------------- tool runs
def tool_env(threads: int = 0) -> Dict[str, str]:
    """This environment with the repository on ``PYTHONPATH`` (and ``threads`` OMP/MKL
    threads when positive)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


@contextmanager
def benchmark_weights_cache() -> Iterator[str]:
    """Point the ovseg weights cache (``$OVSEG_CACHE``) at a temporary folder while a
    benchmark runs, so that its short trainings never replace the user's registered weights.

    A training whose ``ExportCLIPHook`` or ``PublishWeightsHook`` has a ``name`` writes its
    weights into its work dir and copies them into the cache under that name. Inside this context the cache is a temporary
    folder holding a symbolic link to each weights file of the user's cache: names still read
    the user's weights, while a published file replaces only the link (``register_weights``
    renames over the link, not its target). The folder is removed and ``$OVSEG_CACHE``
    restored on exit; what the benchmark trained stays in its work dirs.

    Yields:
        str: the temporary cache folder.
    """
    from ovseg.utils.weights import CACHE_ENV, list_weights, weights_path
    user_files = [weights_path(name) for name in list_weights()]
    previous = os.environ.get(CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix='ovseg-benchmark-weights-') as folder:
        for path in user_files:
            if osp.isfile(path):
                os.symlink(osp.realpath(path), osp.join(folder, osp.basename(path)))
        os.environ[CACHE_ENV] = folder
        try:
            yield folder
        finally:
            if previous is None:
                os.environ.pop(CACHE_ENV, None)
            else:
                os.environ[CACHE_ENV] = previous


def run_tool(cmd: List[str], log: str, *, env: Optional[Dict[str, str]] = None) -> None:
    """Run ``python *cmd`` from the repository root, stdout and stderr into ``log``.

    Args:
        cmd (list[str]): script (relative to the root) and its arguments.
        log (str): file for the output.
        env (dict, optional): environment. Defaults to :func:`tool_env`.

    Raises:
        RuntimeError: when the command fails.
    """
    print(f'[benchmark] $ {" ".join(cmd)}  (log: {log})', flush=True)
    with open(log, 'w') as f:
        proc = subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env or tool_env(),
                              stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode:
        raise RuntimeError(f'command failed ({proc.returncode}); see {log}')


def last_metrics(work_dir: str, *, patterns: Sequence[str] = ('*/*.json',),
                 key: Optional[str] = None) -> Dict[str, float]:
    """The last entry of the newest json-lines log under ``work_dir`` that matches one of
    ``patterns`` (``tools/test.py`` writes ``<timestamp>/<timestamp>.json``; training writes
    ``<timestamp>/vis_data/scalars.json``), counting only entries that hold ``key`` when given
    (e.g. ``'mIoU'``: the validation entries among the training scalars)."""
    logs = sorted((log for pattern in patterns for log in glob.glob(osp.join(work_dir, pattern))),
                  key=osp.getmtime)
    for log in reversed(logs):
        with open(log) as f:
            entries = [json.loads(line) for line in f if line.strip()]
        entries = [e for e in entries if key is None or key in e]
        if entries:
            return entries[-1]
    raise FileNotFoundError(f'no metrics log{f" with {key!r}" if key else ""} in {work_dir}')


def pick_metric(metrics: Dict[str, float], key: str) -> str:
    """``metrics[.../key]`` to one decimal, ``'-'`` when absent (prefixes such as ``mIoU/``
    or ``ade20k/`` ignored)."""
    for name, value in metrics.items():
        if name.split('/')[-1] == key:
            return f'{value:.1f}'
    return '-'


def load_config_with_options(config: str, options: Sequence[str] = ()):
    """:func:`ovseg.apis.load_config` of ``config`` (relative to the repository root) with
    ``--cfg-options`` strings such as ``'model.context_length=0'``."""
    from mmengine.config import DictAction

    from ovseg.apis import load_config
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return load_config(osp.join(ROOT, config),
                       cfg_options=parser.parse_args(['--o', *options]).o if options else None)


def write_json(path: str, data: Dict, *, indent: int = 2) -> None:
    """Write ``data`` to the JSON file ``path`` (an ``--out`` option), creating its folder."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=indent)
    print(f'[benchmark] wrote {path}')


def write_report(work: str, text: str, results: Dict) -> None:
    """Print ``text`` and write it to ``work/results.md``, ``results`` to ``results.json``."""
    print(text)
    with open(osp.join(work, 'results.md'), 'w') as f:
        f.write(text + '\n')
    with open(osp.join(work, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
