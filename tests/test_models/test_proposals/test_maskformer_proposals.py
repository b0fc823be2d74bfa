"""ovseg.models.proposals.maskformer_proposals: the open-vocabulary class embedding and heads."""
import pytest
import torch
import torch.nn.functional as F
from proposal_utils import EMBED_DIM, build_generator, tiny_mask2former_head_cfg

from ovseg.models.proposals import OpenVocabClassEmbed


def test_class_embed_is_scaled_cosine_with_no_object():
    embed = OpenVocabClassEmbed(in_channels=16, embed_dim=8, hidden_channels=32)
    with pytest.raises(RuntimeError, match='class_embeddings'):
        embed(torch.rand(2, 16))
    text = torch.randn(4, 8)
    embed.class_embeddings = text
    queries = torch.rand(2, 3, 16)
    logits = embed(queries)  # (B, Q, K+1)
    assert logits.shape == (2, 3, 5)
    expected = 100 * F.normalize(embed.mlp(queries), dim=-1) @ F.normalize(
        torch.cat([text, embed.no_object_embedding]), dim=-1).t()
    assert torch.allclose(logits, expected, atol=1e-4)
    assert logits.abs().max() <= 100 + 1e-3


def test_head_rejects_wrong_embedding_size():
    generator = build_generator(tiny_mask2former_head_cfg())
    with pytest.raises(ValueError, match=f'\\(K, {EMBED_DIM}\\)'):
        generator.predict(torch.rand(1, 3, 64, 64), None, torch.rand(3, EMBED_DIM + 1))
