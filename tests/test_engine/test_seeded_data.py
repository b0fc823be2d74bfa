"""ovseg.engine.seeded_data: a sample's augmentation depends only on its position in the run."""
import random

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler

from ovseg.engine.seeded_data import (PerSampleSeededDataset, PositionedBatchSampler, SeededIndex,
                                      per_sample_seeded_loader, seeded_global_rngs)


class _RandomDraws(Dataset):
    """Item ``i`` is ``i`` plus one draw from each global generator (an augmentation's draws)."""

    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int) -> tuple:
        return index, random.random(), float(np.random.rand()), float(torch.rand(()))


def test_seeded_global_rngs_seeds_and_restores():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    before = random.random(), np.random.rand(), torch.rand(())
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    with seeded_global_rngs(7):
        inside = random.random(), np.random.rand(), torch.rand(())
    assert (random.random(), np.random.rand(), torch.rand(())) == before  # streams untouched
    with seeded_global_rngs(7):
        assert (random.random(), np.random.rand(), torch.rand(())) == inside


def test_dataset_draws_depend_on_the_carried_seed_only():
    dataset = PerSampleSeededDataset(dataset=_RandomDraws())
    first = dataset[SeededIndex(2, seed=11)]
    random.random(), np.random.rand(), torch.rand(())  # move the global streams on
    assert dataset[SeededIndex(2, seed=11)] == first
    assert dataset[SeededIndex(2, seed=12)] != first
    assert dataset[2][0] == 2 and len(dataset) == 6  # plain indices pass through


def test_batch_sampler_start_at_skips_without_changing_later_batches():
    def sampler() -> BatchSampler:
        return BatchSampler(RandomSampler(range(6), generator=torch.Generator().manual_seed(0)),
                            batch_size=2, drop_last=False)

    full = [[(int(i), i.seed) for i in b]
            for b in PositionedBatchSampler(batch_sampler=sampler(), seed=3, rank=0)]
    resumed = PositionedBatchSampler(batch_sampler=sampler(), seed=3, rank=0)
    resumed.start_at(2)
    assert [[(int(i), i.seed) for i in b] for b in resumed] == full[2:]
    other_rank = PositionedBatchSampler(batch_sampler=sampler(), seed=3, rank=1)
    assert [[i.seed for i in b] for b in other_rank] != [[s for _, s in b] for b in full]


def test_loader_augments_the_same_whatever_ran_before():
    loader = DataLoader(_RandomDraws(), batch_size=3)
    first = list(per_sample_seeded_loader(loader, seed=5, rank=0))
    torch.rand(100), np.random.rand(100)
    again = list(per_sample_seeded_loader(loader, seed=5, rank=0))
    assert all(torch.equal(a, b) for x, y in zip(first, again) for a, b in zip(x, y))
    plain = list(loader)
    assert torch.equal(plain[0][0], first[0][0]) and not torch.equal(plain[0][1], first[0][1])
