"""Tiny whole runs for tests: their ``--cfg-options``, and reading what they wrote."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import time
from typing import Dict, List, Optional

#: the SynthWorld CLIP pretraining config that the tiny tool runs shrink
TINY_RUN_CONFIG = 'configs/synthworld/synthclip_rn-s_synthworld-captions-96.py'


def tiny_run_options(data_root: str, *, max_iters: int = 1, workers: int = 0,
                     log_interval: Optional[int] = None,
                     checkpoint_interval: Optional[int] = None) -> List[str]:
    """``--cfg-options`` that make :data:`TINY_RUN_CONFIG` a tiny CPU run of ``tools/train.py``
    / ``tools/test.py``: the ``ovseg-tiny-vit`` CLIP at 32 px, batches of 8, every dataset on
    the SynthWorld world ``data_root``, validation after the last iteration.

    Args:
        data_root (str): a world written by ``ovseg.datasets.synthworld.generate``.
        max_iters (int): training iterations (and the validation interval). Defaults to 1.
        workers (int): DataLoader workers of every loader. Defaults to 0.
        log_interval (int, optional): ``default_hooks.logger.interval``. Defaults to the
            config's.
        checkpoint_interval (int, optional): ``default_hooks.checkpoint.interval``. Defaults
            to the config's.

    Returns:
        list[str]: ``key=value`` strings.
    """
    opts = ['model.model_name=ovseg-tiny-vit', 'train_dataloader.batch_size=8',
            f'train_cfg.max_iters={max_iters}', f'train_cfg.val_interval={max_iters}',
            'train_dataloader.dataset.pipeline.2.scale=(32,32)']
    if log_interval is not None:
        opts.append(f'default_hooks.logger.interval={log_interval}')
    if checkpoint_interval is not None:
        opts.append(f'default_hooks.checkpoint.interval={checkpoint_interval}')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={data_root}', f'{loader}.num_workers={workers}',
                 f'{loader}.persistent_workers=False']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.pipeline.1.size=32',
                 f'{loader}.dataset.pipeline.2.scale=(32,32)']
    return opts


def logged_losses(work_dir: str) -> Dict[int, float]:
    """``{iteration: loss}`` from the json scalars of every run in ``work_dir``.

    A resumed run logs into a new timestamped folder; runs are read in time
    order, so a later run's value for an iteration wins.

    Args:
        work_dir (str): the ``--work-dir`` of ``tools/train.py``.
    """
    losses: Dict[int, float] = {}
    runs = sorted(d for d in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, d)))
    for run in runs:
        scalars = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        if not osp.isfile(scalars):
            continue
        with open(scalars) as f:
            losses.update((r['iter'], r['loss']) for r in map(json.loads, f) if 'loss' in r)
    return losses


def kill_after_first_checkpoint(proc: subprocess.Popen, work_dir: str, *,
                                timeout: float = 240.0) -> str:
    """SIGKILL a training process as soon as it has written a checkpoint.

    Args:
        proc (subprocess.Popen): a running ``tools/train.py`` process.
        work_dir (str): its work dir, watched for mmengine's ``last_checkpoint``.
        timeout (float): seconds to wait for the checkpoint. Defaults to 240.

    Returns:
        str: the path of the checkpoint written (``last_checkpoint``'s content).
    """
    last = osp.join(work_dir, 'last_checkpoint')
    deadline = time.time() + timeout
    while not osp.exists(last) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if not osp.exists(last):
        raise AssertionError(f'{work_dir}: no checkpoint written (exit code {proc.returncode})')
    with open(last) as f:
        return f.read().strip()


def kill_after_first_shard(proc: subprocess.Popen, index_dir: str, *,
                           timeout: float = 240.0) -> List[str]:
    """SIGKILL a ``tools/build_gallery.py`` process as soon as it has written a shard.

    Args:
        proc (subprocess.Popen): the running build.
        index_dir (str): its ``--out``, watched for ``shards/*.npz``.
        timeout (float): seconds to wait for the shard. Defaults to 240.

    Returns:
        list[str]: the shard files present after the kill.
    """
    pattern = osp.join(index_dir, 'shards', '*.npz')
    deadline = time.time() + timeout
    while not glob.glob(pattern) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    shards = sorted(glob.glob(pattern))
    if not shards:
        raise AssertionError(f'{index_dir}: no shard written (exit code {proc.returncode})')
    return shards
