"""ovseg/visualization/views.py: the per-class score view and the per-proposal view."""
import numpy as np

from ovseg.visualization import proposal_grid, score_grid


def test_score_grid_tiles_every_class():
    grid = score_grid(np.random.rand(5, 10, 20), list('abcde'), tile=40)
    assert grid.shape == (2 * (20 + 20), 3 * 40, 3)


def test_proposal_grid_ranks_proposals_and_handles_none():
    image = np.full((20, 40, 3), 200, np.uint8)
    masks = np.zeros((3, 20, 40))
    masks[1, 5:15, 10:30] = 1
    scores = np.array([[0.1, 0.2], [0.9, 0.05], [0.3, 0.4]])
    grid = proposal_grid(image, masks, scores, ['a', 'b'], top_k=1, max_proposals=2, tile=40)
    assert grid.shape == (20 + 16 + 4, 2 * 40, 3)
    first = grid[:20, :40]  # proposal 1 (best score 0.9): bright inside, dimmed outside
    assert first[10, 20].tolist() == [200, 200, 200] and first[1, 1].tolist() == [50, 50, 50]
    empty = proposal_grid(image, masks[:0], scores[:0], ['a', 'b'])
    assert empty.ndim == 3 and empty.shape[1] == 160
