import pytest
import torch

from ovseg.models.clip.calibration import calibrated_stacking, seen_class_mask

SEEN = torch.tensor([True, True, False, False])


def test_region_logits_hand_made():
    # row 0: a seen class wins by 1.5; row 1: by 0.5; row 2: the unseen class already wins
    logits = torch.tensor([[4.0, 1.0, 2.5, 0.0],
                           [3.0, 0.0, 0.0, 2.5],
                           [0.0, 1.0, 3.0, 0.0]])
    assert calibrated_stacking(logits, SEEN, 0.0) is logits  # gamma 0: the original method
    out = calibrated_stacking(logits, SEEN, 1.0)
    assert torch.equal(out, torch.tensor([[3.0, 0.0, 2.5, 0.0],
                                          [2.0, -1.0, 0.0, 2.5],
                                          [-1.0, 0.0, 3.0, 0.0]]))
    assert out.argmax(dim=1).tolist() == [0, 3, 2]
    assert calibrated_stacking(logits, SEEN, 2.0).argmax(dim=1).tolist() == [2, 3, 2]


def test_dense_maps_and_class_dim():
    scores = torch.zeros(2, 4, 3, 5)
    scores[:, 0] = 1.0  # a seen class leads everywhere by 1
    out = calibrated_stacking(scores, SEEN, 1.5)
    assert out.shape == scores.shape
    assert torch.all(out.argmax(dim=1) == 2)  # the first unseen class now leads (ties: first)
    assert torch.equal(out[:, 2:], scores[:, 2:])  # unseen scores untouched
    per_image = calibrated_stacking(scores[0], SEEN, 1.5, dim=0)  # (K, H, W)
    assert torch.equal(per_image, out[0])


def test_log_space_scales_probabilities():
    probs = torch.tensor([[0.6, 0.1, 0.3, 0.0]])
    out = calibrated_stacking(probs.log(), SEEN, 1.0).exp()
    assert torch.allclose(out, probs * torch.tensor([[1 / torch.e, 1 / torch.e, 1, 1]]))
    assert out[0, 3] == 0  # zero scores stay zero


def test_bad_arguments():
    with pytest.raises(ValueError, match='gamma'):
        calibrated_stacking(torch.zeros(1, 4), SEEN, -1.0)
    with pytest.raises(ValueError, match='K = 3'):
        calibrated_stacking(torch.zeros(1, 3), SEEN, 1.0)


def test_seen_class_mask():
    vocab = ['circle', 'heart', 'road, route', 'Sky']
    assert seen_class_mask(vocab, ['road', 'sky', 'circle']).tolist() == [True, False, True, True]
    with pytest.raises(ValueError, match="'cirle'"):
        seen_class_mask(vocab, ['cirle'])
    with pytest.raises(TypeError):
        seen_class_mask(vocab, 'circle')
