"""ovseg.testing.sam: a tiny SAM, seeded, with random relative position tables."""
import torch

from ovseg.testing import TINY_SAM_ARCH, build_tiny_sam


def test_tiny_sam_is_seeded_and_leaves_the_global_generator_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    first, again, other = build_tiny_sam(1), build_tiny_sam(1), build_tiny_sam(2)
    assert torch.equal(torch.rand(3), expected)
    state, other_state = first.state_dict(), other.state_dict()
    assert all(torch.equal(v, again.state_dict()[k]) for k, v in state.items())
    assert any(not torch.equal(v, other_state[k]) for k, v in state.items())
    rel_pos = [v for k, v in state.items() if '.rel_pos_' in k]
    assert rel_pos and all(v.abs().sum() > 0 for v in rel_pos)
    assert not first.training and first.image_encoder.img_size == TINY_SAM_ARCH['image_size']
