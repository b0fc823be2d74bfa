"""ovseg.models.mask_adapted.single_pass: mask-weighted pooling of a dense CLIP map."""
import torch
import torch.nn.functional as F

from ovseg.models.mask_adapted.single_pass import mask_pool


def test_pooling_averages_the_normalised_cells_under_each_mask():
    dense = torch.randn(5, 2, 3)  # (D, h, w), stride 4: a 8 x 12 image
    masks = torch.zeros(3, 7, 10)  # cut short at the bottom/right: padded to the grid
    masks[0, 0:4, 0:4] = 1  # exactly cell (0, 0)
    masks[1, 4:7, 8:10] = 1  # part of cell (1, 2) only
    masks[1, 0:4, 4:8] = 1  # all of cell (0, 1)
    pooled = mask_pool(dense, masks, stride=4)
    cells = F.normalize(dense, dim=0)
    assert torch.allclose(pooled[0], cells[:, 0, 0], atol=1e-6)
    weighted = cells[:, 0, 1] * 16 + cells[:, 1, 2] * 6  # pixels of each cell under the mask
    assert torch.allclose(pooled[1], F.normalize(weighted, dim=0), atol=1e-6)
    assert torch.equal(pooled[2], torch.zeros(5))  # an empty mask gives a zero row
