"""Training data whose randomness is a function of the sample's position, not of a process.

A resumed run must see the very batches, augmented the very same way, as the
uninterrupted run. Two things stand in the way in mmengine:

- the augmentations draw from the global ``random`` / ``numpy`` / ``torch``
  generators of whichever process runs them: the main process
  (``num_workers=0``), whose stream is then shared with dropout, or a worker
  process, whose stream lives only as long as the worker and cannot be saved;
- ``IterBasedTrainLoop`` finds its place in the sampler's stream by loading and
  transforming every batch already trained.

Here every sample is augmented under generators seeded from
``(seed, rank, batch number, slot in batch)`` and restored afterwards, so a
sample's augmentation depends on nothing else (not on the worker that loads it,
not on ``num_workers``, not on what ran before) and the main process's stream is
left to the model. The batch sampler numbers the batches and can start at batch
``k`` by drawing (not loading) the first ``k`` index lists: this is exact for
every batch sampler, including bucketing ones such as mmdet's
``AspectRatioBatchSampler`` whose state depends on every index it has seen, and
costs microseconds per skipped batch. mmengine has no such sampler or wrapper,
hence this module.
"""
import random
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, List, Optional

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class SeededIndex(int):
    """A dataset index that carries the seed its sample is augmented with.

    Args:
        index (int): index into the dataset.
        seed (int): 32-bit seed of the sample's augmentation.
    """

    seed: int

    def __new__(cls, index: int, seed: int) -> 'SeededIndex':
        obj = super().__new__(cls, index)
        obj.seed = seed
        return obj

    def __reduce__(self):  # sent to worker processes with its seed
        return SeededIndex, (int(self), self.seed)


@contextmanager
def seeded_global_rngs(seed: int) -> Iterator[None]:
    """Seed ``random``, ``numpy`` and torch's CPU generator; restore them on exit.

    Only the CPU generator is touched (``torch.manual_seed`` would also reseed
    every CUDA device, which the model's dropout uses).
    """
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


class PerSampleSeededDataset(Dataset):
    """Loads ``dataset[i]`` under the seed carried by a :class:`SeededIndex`.

    Every other attribute (``metainfo``, ``get_data_info`` ...) is the wrapped
    dataset's, so hooks that read ``runner.train_dataloader.dataset`` see it.

    Args:
        dataset (Dataset): the training dataset.
    """

    def __init__(self, *, dataset: Dataset) -> None:
        self.dataset = dataset

    def __getitem__(self, index: int) -> Any:
        if not isinstance(index, SeededIndex):
            return self.dataset[index]
        with seeded_global_rngs(index.seed):
            return self.dataset[int(index)]

    def __len__(self) -> int:
        return len(self.dataset)

    def __getattr__(self, name: str) -> Any:
        if name == 'dataset':  # not yet set (unpickling in a worker)
            raise AttributeError(name)
        return getattr(self.dataset, name)


class PositionedBatchSampler:
    """Numbers the batches of a batch sampler and seeds each of their samples.

    Batch ``b`` (counted over the whole run, across the sampler's epochs) slot
    ``j`` gets the seed ``SeedSequence([seed, rank, b, j])``. :meth:`start_at`
    makes the next iteration begin at batch ``k``, skipping the first ``k``
    index lists without loading any sample.

    Args:
        batch_sampler (Iterable[List[int]]): the loader's batch sampler.
        seed (int): the run's seed.
        rank (int): this process's rank.
    """

    def __init__(self, *, batch_sampler: Iterable[List[int]], seed: int, rank: int) -> None:
        self.batch_sampler = batch_sampler
        # DistSamplerSeedHook and _InfiniteDataloaderIterator call
        # ``loader.batch_sampler.sampler.set_epoch``
        self.sampler = getattr(batch_sampler, 'sampler', None)
        self.seed = seed
        self.rank = rank
        self._next = 0  # number of the next batch to yield
        self._skip = 0  # index lists still to draw and drop

    def start_at(self, batch: int) -> None:
        """Make the stream (re)start at batch ``batch`` (the iteration resumed at)."""
        self._next = batch
        self._skip = batch

    def __iter__(self) -> Iterator[List[SeededIndex]]:
        batches = iter(self.batch_sampler)
        for _ in range(self._skip):
            if next(batches, None) is None:
                return  # epoch ended while skipping: the loop starts the next one
            self._skip -= 1
        for batch in batches:
            number = self._next
            self._next += 1
            yield [SeededIndex(i, self._sample_seed(number, j)) for j, i in enumerate(batch)]

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def _sample_seed(self, batch: int, slot: int) -> int:
        entropy = [self.seed % 2**32, self.rank, batch, slot]
        return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def per_sample_seeded_loader(loader: DataLoader, *, seed: int, rank: int) -> DataLoader:
    """``loader`` with :class:`PerSampleSeededDataset` and :class:`PositionedBatchSampler`.

    A torch DataLoader's dataset and batch sampler cannot be replaced after it is
    built, so the loader is rebuilt with every other setting of ``loader``. It
    gets its own ``generator``: each ``iter(loader)`` otherwise draws a worker
    base seed from the global torch generator, and a resumed run creates its
    iterator at another point of that stream than the uninterrupted run did.

    Args:
        loader (DataLoader): the training loader built by mmengine.
        seed (int): the run's seed.
        rank (int): this process's rank.
    """
    generator: Optional[torch.Generator] = loader.generator
    if generator is None:
        generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        PerSampleSeededDataset(dataset=loader.dataset),
        batch_sampler=PositionedBatchSampler(
            batch_sampler=loader.batch_sampler, seed=seed, rank=rank),
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        timeout=loader.timeout,
        worker_init_fn=loader.worker_init_fn,
        multiprocessing_context=loader.multiprocessing_context,
        generator=generator,
        prefetch_factor=loader.prefetch_factor,
        persistent_workers=loader.persistent_workers,
        pin_memory_device=loader.pin_memory_device,
        in_order=getattr(loader, 'in_order', True))
