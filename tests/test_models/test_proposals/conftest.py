"""Fixtures of the proposal tests: a tiny SAM from SAM's classes and its checkpoint file."""
import pytest
import torch

from ovseg.testing import build_tiny_sam


@pytest.fixture
def tiny_sam():
    """SAM at embedding size 32, depth 1, 64 px input (seed 0, eval mode)."""
    return build_tiny_sam(seed=0)


@pytest.fixture(scope='module')
def tiny_sam_checkpoint(tmp_path_factory) -> str:
    """A plain state-dict file of :func:`tiny_sam` (SAM's release layout)."""
    path = tmp_path_factory.mktemp('sam') / 'tiny_sam.pth'
    torch.save(build_tiny_sam(seed=0).state_dict(), str(path))
    return str(path)
