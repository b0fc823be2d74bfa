"""Loading a run configuration the way every ovseg tool does."""
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from ..utils.errors import InputError


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
        a distributed run uses the ``gloo`` backend and CPU DDP.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        InputError: an override that does not fit the config (a key below a ``None`` value,
            such as ``train_dataloader`` of a test-only config), named.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Config file {path} does not exist.')
    cfg = Config.fromfile(path)
    if cfg_options:
        try:
            cfg.merge_from_dict(cfg_options)
        except TypeError as err:  # e.g. train_dataloader.* on a config that does not train
            raise InputError(f'--cfg-options cannot be applied to {path}: {err}') from None
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(path))[0])
    if launcher != 'none' and not torch.cuda.is_available():
        _use_cpu_distributed(cfg)
    return cfg


def _use_cpu_distributed(cfg: Config) -> None:
    """Distributed data parallel on CPU: gloo backend, DDP without device ids."""
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        print_log('No CUDA device: using the gloo backend for distributed training.', logger='current')
        dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None  # CPU modules take no device ids
    cfg.model_wrapper_cfg = wrapper


def build_runner(cfg: Config) -> Runner:
    """``RUNNERS.build(cfg)`` (the config's ``runner_type``, :class:`~ovseg.engine.OVSegRunner`
    by default), starting CPU process groups that mmengine cannot.

    mmengine 0.10.7 ``init_dist`` calls ``torch.cuda.set_device`` before
    ``init_process_group``, which fails without a GPU; a process group that
    already exists is used by the Runner as it is.
    """
    if cfg.launcher == 'pytorch' and not torch.cuda.is_available() and not dist.is_initialized():
        dist.init_process_group(backend=cfg.env_cfg.dist_cfg.backend)
    from mmengine.registry import RUNNERS

    import ovseg.engine  # noqa: F401  (registers OVSegRunner)
    cfg.setdefault('runner_type', 'OVSegRunner')
    return RUNNERS.build(cfg)


def shutdown_distributed() -> None:
    """Destroy the default process group, if any, once a run has finished.

    PyTorch's documented shutdown (``torch.distributed`` "Shutdown"); mmengine never calls
    it. Without it, gloo's worker threads may still be alive when the interpreter is torn down,
    and a rank can abort with "terminate called without an active exception"
    (pytorch/pytorch#190489), failing a run that has trained and saved everything. The barrier
    first lets every rank finish its last collective (a rank that finishes early must not tear
    its group down while a peer still talks to it). Called only after a run succeeded: after a
    failure the peers may be blocked in a collective, and torchrun stops them.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def load_test_metainfo(cfg: Config) -> dict:
    """Metainfo (``classes``, ``palette``, ...) of the config's test dataset, read without
    loading its annotation files (``lazy_init``)."""
    from mmseg.registry import DATASETS  # searches mmengine's root registry too
    return dict(DATASETS.build(dict(cfg.test_dataloader.dataset, lazy_init=True)).metainfo)
