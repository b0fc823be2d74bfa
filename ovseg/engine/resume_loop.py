"""mmengine's iteration-based train loop with exact resumption (mmengine ``LOOPS``).

mmengine's ``IterBasedTrainLoop`` creates its data iterator when it is built
(before the checkpoint is loaded) and, on resume, loads and transforms every
batch already trained to find its place. This loop trains from a
:func:`~ovseg.engine.seeded_data.per_sample_seeded_loader`, creates the
iterator when it starts running, and starts it at the resumed iteration without
loading a single trained batch. With :class:`~ovseg.engine.RandomStateHook`
(which restores the generators the model draws from) a resumed run repeats the
uninterrupted run's losses bit for bit on CPU (README "Resume").
"""
import logging
from typing import Dict, List, Optional, Tuple, Union

from mmengine.dist import get_rank
from mmengine.logging import print_log
from mmengine.registry import LOOPS
from mmengine.runner.base_loop import BaseLoop
from mmengine.runner.loops import IterBasedTrainLoop, _InfiniteDataloaderIterator
from mmengine.runner.utils import calc_dynamic_intervals
from torch.utils.data import DataLoader

from .seeded_data import PositionedBatchSampler, per_sample_seeded_loader


@LOOPS.register_module()
class ExactResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """``IterBasedTrainLoop`` that resumes without replaying the data.

    ``run()``: ``before_train`` -> ``before_train_epoch`` -> iterator started
    at ``self.iter`` -> [``run_iter`` -> val loop when due] until ``max_iters``.

    Args: as mmengine's ``IterBasedTrainLoop`` (``runner``, ``dataloader``,
        ``max_iters``, ``val_begin``, ``val_interval``, ``dynamic_intervals``).
    """

    def __init__(self, runner, dataloader: Union[DataLoader, Dict], max_iters: int,
                 val_begin: int = 1, val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        # IterBasedTrainLoop.__init__ would start the data iterator here (worker
        # processes prefetch from sample 0); its other settings are repeated instead.
        BaseLoop.__init__(self, runner, dataloader)
        self.dataloader = per_sample_seeded_loader(
            self.dataloader, seed=runner.seed, rank=get_rank())
        self._max_iters = int(max_iters)
        if self._max_iters != max_iters:
            raise ValueError(f'train_cfg.max_iters must be an integer, got {max_iters!r}')
        self._max_epochs = 1
        self._epoch = 0
        self._iter = 0
        self.val_begin = val_begin
        self.val_interval = val_interval
        self.stop_training = False  # set by EarlyStoppingHook
        self.runner.visualizer.dataset_meta = getattr(self.dataloader.dataset, 'metainfo', None)
        self.dataloader_iterator: Optional[_InfiniteDataloaderIterator] = None
        self.dynamic_milestones, self.dynamic_intervals = calc_dynamic_intervals(
            self.val_interval, dynamic_intervals)

    def run(self):
        """Train from ``self.iter`` (0, or the resumed iteration) to ``max_iters``."""
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        batch_sampler: PositionedBatchSampler = self.dataloader.batch_sampler
        if self._iter > 0:
            print_log(f'Starting the data at batch {self._iter} (the trained batches are '
                      'skipped by index, none is loaded)', logger='current', level=logging.INFO)
        batch_sampler.start_at(self._iter)
        self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)
        # from here on as mmengine's IterBasedTrainLoop.run
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            data_batch = next(self.dataloader_iterator)
            self.run_iter(data_batch)
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
