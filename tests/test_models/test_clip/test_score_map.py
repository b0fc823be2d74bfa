import torch
import torch.nn.functional as F

from ovseg.models.clip import pixel_text_score


def test_shape_range_and_values():
    torch.manual_seed(0)
    dense, text = torch.randn(2, 8, 3, 4), torch.randn(2, 5, 8)
    score = pixel_text_score(dense, text)
    assert score.shape == (2, 5, 3, 4)
    assert score.abs().max() <= 1 + 1e-6
    expected = F.cosine_similarity(dense[1, :, 2, 3], text[1, 4], dim=0)
    torch.testing.assert_close(score[1, 4, 2, 3], expected)
    # scale-invariant; a pixel equal to a text embedding scores 1
    torch.testing.assert_close(pixel_text_score(dense * 3, text * 0.5), score)
    dense[0, :, 0, 0] = text[0, 2]
    assert abs(pixel_text_score(dense, text)[0, 2, 0, 0].item() - 1) < 1e-6


def test_shared_text():
    dense, text = torch.randn(2, 8, 3, 3), torch.randn(4, 8)
    torch.testing.assert_close(pixel_text_score(dense, text),
                               pixel_text_score(dense, text.expand(2, 4, 8)))
