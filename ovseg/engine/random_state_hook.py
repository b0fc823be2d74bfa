"""Saves the random generators in every checkpoint and restores them on resume.

mmengine's ``Runner.resume`` reseeds from the config's seed, so after a resume
dropout, drop path and every other draw of the model start over from the
seed's stream instead of where the interrupted run was (issue 12, item 3).
This hook stores the state of Python's ``random``, NumPy's global generator,
torch's CPU generator and, when CUDA is in use, every CUDA generator under
``checkpoint['random_state']``, one entry per rank, and restores this rank's
entry right where the saving run continued: before the next train iteration
(iteration-based loops) or the next train epoch (epoch-based loops).

It also runs every validation inside training under saved-and-restored
generators, so training draws the same numbers whether or not (and however
often) it validates; the uninterrupted run may validate right after the
checkpoint the resumed run starts from.
"""
import random
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmengine.runner.loops import IterBasedTrainLoop

KEY = 'random_state'


def get_random_state() -> Dict[str, Any]:
    """This process's generator states (``random``, ``numpy``, ``torch``, ``cuda``)."""
    # NumPy's key as a list of ints: the checkpoint then holds only tensors and builtins
    name, key, pos, has_gauss, cached = np.random.get_state()
    state = dict(random=random.getstate(), numpy=(name, key.tolist(), pos, has_gauss, cached),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: Dict[str, Any]) -> None:
    """Restore states from :func:`get_random_state`."""
    random.setstate(state['random'])
    name, key, pos, has_gauss, cached = state['numpy']
    np.random.set_state((name, np.asarray(key, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        if len(state['cuda']) != torch.cuda.device_count():
            raise RuntimeError(
                f"checkpoint '{KEY}' holds {len(state['cuda'])} CUDA generator states, this "
                f'machine has {torch.cuda.device_count()} devices')
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Checkpoint the random generators of every rank and restore them on resume.

    ``checkpoint['random_state'] = dict(world_size=W, ranks=[state of rank 0, ...])``.
    Only rank 0 writes checkpoints (mmengine), so in distributed runs the ranks'
    states are gathered just before a checkpoint is due (one ``all_gather_object``
    per checkpoint); a checkpoint resumed with another world size restores no
    state (warned).
    """

    priority = 'HIGHEST'  # restore before any other hook draws a number

    def __init__(self) -> None:
        self._gathered: Optional[List[Dict[str, Any]]] = None
        self._pending: Optional[Tuple[int, Dict[str, Any]]] = None  # (iter, state)
        self._val_state: Optional[Dict[str, Any]] = None

    # --- saving -----------------------------------------------------------------------
    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._gather_if_due(runner, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        self._gather_if_due(runner, by_epoch=True)

    def _gather_if_due(self, runner, *, by_epoch: bool) -> None:
        """All ranks hand their states to rank 0 when a CheckpointHook saves now."""
        self._gathered = None
        if get_dist_info()[1] == 1:
            return
        for hook in runner.hooks:
            if not isinstance(hook, CheckpointHook) or hook.by_epoch != by_epoch:
                continue
            if by_epoch:
                due = (hook.every_n_epochs(runner, hook.interval, hook.save_begin)
                       or (hook.save_last and hook.is_last_train_epoch(runner)))
            else:
                due = (hook.every_n_train_iters(runner, hook.interval, hook.save_begin)
                       or (hook.save_last and hook.is_last_train_iter(runner)))
            if due:
                self._gathered = all_gather_object(get_random_state())
                return

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        world_size = get_dist_info()[1]
        ranks = self._gathered if self._gathered is not None else [get_random_state()]
        checkpoint[KEY] = dict(world_size=world_size if len(ranks) == world_size else 1,
                               ranks=ranks)

    # --- restoring --------------------------------------------------------------------
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._pending = None
        saved = checkpoint.get(KEY)
        if saved is None:
            return
        rank, world_size = get_dist_info()
        if saved.get('world_size') != world_size:
            print_log(f"checkpoint '{KEY}' was saved by {saved.get('world_size')} process(es), "
                      f'this run has {world_size}: the random generators start from the seed',
                      logger='current', level='WARNING')
            return
        self._pending = (checkpoint.get('meta', {}).get('iter'), saved['ranks'][rank])

    def before_train_epoch(self, runner) -> None:
        if not isinstance(runner.train_loop, IterBasedTrainLoop):
            self._restore(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._restore(runner)

    def _restore(self, runner) -> None:
        """Restore the loaded state once, if training continues from that checkpoint.

        A checkpoint loaded with ``load_from`` (fine-tuning, iteration 0) is not resumed.
        """
        if self._pending is None:
            return
        saved_iter, state = self._pending
        self._pending = None
        if saved_iter == runner.iter and runner.iter > 0:
            set_random_state(state)

    # --- validation inside training ---------------------------------------------------
    def before_val(self, runner) -> None:
        self._val_state = get_random_state()

    def after_val(self, runner) -> None:
        if self._val_state is not None:
            set_random_state(self._val_state)
            self._val_state = None
