"""Loading a run configuration the way every ovseg tool does."""
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log


def load_config(path: str, *, cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None, launcher: str = 'none') -> Config:
    """Read ``path``, apply overrides and fill the run defaults.

    Args:
        path (str): config file (with or without ``_base_``).
        cfg_options (dict, optional): ``--cfg-options`` overrides. Defaults to None.
        work_dir (str, optional): overrides ``cfg.work_dir``; otherwise
            ``work_dirs/<config name>``. Defaults to None.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``. Defaults to ``'none'``.

    Returns:
        Config: with ``work_dir`` and ``launcher`` set; on machines without CUDA
        a distributed run uses the ``gloo`` backend instead of ``nccl``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Config file {path} does not exist.')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(path))[0])
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if launcher != 'none' and not torch.cuda.is_available() and dist_cfg.get('backend', 'nccl') == 'nccl':
        print_log('No CUDA device: using the gloo backend for distributed training.', logger='current')
        dist_cfg['backend'] = 'gloo'
    return cfg
