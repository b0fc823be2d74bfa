"""Reading what a training run wrote into its work dir, for tests of whole runs."""
import json
import os
import os.path as osp
import signal
import subprocess
import time
from typing import Dict


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
