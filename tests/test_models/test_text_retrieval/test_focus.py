"""ovseg.models.text_retrieval.focus: v/c conv conversion, biased attention pool, probe."""
import torch

from ovseg.models.clip import CLIPResNet
from ovseg.models.text_retrieval import (MaskedAttentionPool, SceneTextProbe, TextScoreHead,
                                     attnpool_value_convs)
from ovseg.testing import TINY_RN


def _pool():
    torch.manual_seed(0)
    return CLIPResNet(model_name=TINY_RN, image_size=64).visual.attnpool


def test_converted_convs_equal_the_pools_value_and_output_projections():
    pool = _pool()
    c5 = torch.randn(2, 256, 2, 3)
    v_conv, c_conv = attnpool_value_convs(pool)
    dense = c_conv(v_conv(c5))  # (B, D, H, W)
    tokens = c5.flatten(2).transpose(1, 2)  # (B, H*W, C)
    expected = pool.c_proj(pool.v_proj(tokens)).transpose(1, 2).reshape(2, -1, 2, 3)
    torch.testing.assert_close(dense, expected)
    head = TextScoreHead(in_channels=256, embed_dim=32)
    head.init_from_pool(pool)
    torch.testing.assert_close(head.c_proj(head.v_proj(c5)), expected)
    assert head(c5).shape == (2, 1, 2, 3)


def test_uniform_bias_equals_clips_pool_and_a_text_bias_moves_it():
    pool = _pool()
    masked = MaskedAttentionPool(num_channels=256, grid_size=(2, 2))
    masked.init_from_pool(pool)
    torch.testing.assert_close(masked.positional_embedding, pool.positional_embedding)
    c5 = torch.randn(3, 256, 2, 2)
    # sigmoid(40) == 1: the bias [1, 1, ...] is the same on every key, which softmax ignores
    uniform = masked(c5, torch.full((3, 1, 2, 2), 40.0), pool)
    torch.testing.assert_close(uniform, pool(c5), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(masked(c5, None, pool), pool(c5), atol=1e-5, rtol=1e-5)

    score = torch.full((3, 1, 2, 2), -40.0)
    score[:, :, 0, 1] = 40.0  # one text pixel
    score.requires_grad_(True)
    biased = masked(c5, score, pool)
    assert biased.shape == (3, 32)
    assert not torch.allclose(biased, uniform, atol=1e-4)
    # explicitly: the mean token attends with logits + [1, 0, 1, 0, 0]
    tokens = torch.cat([c5.flatten(2).mean(2, keepdim=True), c5.flatten(2)], 2)  # (B, C, 5)
    tokens = tokens.transpose(1, 2) + pool.positional_embedding  # (B, 5, C)
    heads, width = pool.num_heads, 256 // pool.num_heads
    q = pool.q_proj(tokens[:, :1]).reshape(3, 1, heads, width).transpose(1, 2)
    k = pool.k_proj(tokens).reshape(3, 5, heads, width).transpose(1, 2)
    v = pool.v_proj(tokens).reshape(3, 5, heads, width).transpose(1, 2)
    logits = q @ k.transpose(-1, -2) / width ** 0.5 + torch.tensor([1., 0., 1., 0., 0.])
    out = (logits.softmax(-1) @ v).transpose(1, 2).reshape(3, 256)
    torch.testing.assert_close(biased, pool.c_proj(out), atol=1e-5, rtol=1e-5)


def test_positional_embedding_is_learnable_and_resized_to_other_grids():
    pool = _pool()
    masked = MaskedAttentionPool(num_channels=256, grid_size=(2, 2))
    masked.init_from_pool(pool)
    out = masked(torch.randn(1, 256, 3, 3), torch.zeros(1, 1, 3, 3), pool)
    out.sum().backward()
    assert masked.positional_embedding.grad.abs().sum() > 0


def test_probe_adds_an_attended_probe_and_normalises():
    torch.manual_seed(0)
    probe = SceneTextProbe(embed_dim=32, num_heads=4).eval()
    image, text = torch.randn(2, 32), torch.randn(32)
    out = probe(image, text)
    # one key: the attention is the value projection of the probe, then out_proj
    attn = probe.attn
    value = text @ attn.in_proj_weight[64:].t() + attn.in_proj_bias[64:]
    offset = attn.out_proj(value)
    torch.testing.assert_close(out, probe.norm(image + offset))
