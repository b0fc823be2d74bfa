"""Reading what a training run wrote into its work dir, for tests of whole runs."""
import json
import os
import os.path as osp
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
