import pytest
import torch
from torch import nn

from ovseg.models.denseclip import ContextDecoder, visual_context


def test_shapes_and_names():
    dec = ContextDecoder(visual_dim=32, transformer_width=16, transformer_heads=2,
                         transformer_layers=2).eval()
    text, visual = torch.randn(3, 5, 32), torch.randn(3, 17, 32)
    out = dec(text, visual)
    assert out.shape == (3, 5, 32)
    names = {n for n, _ in dec.named_parameters()}
    # original layout: decoder layer LayerNorms are the only names with "norm"
    assert {n for n in names if 'norm' in n} == {
        f'decoder.{i}.norm{j}.{p}' for i in range(2) for j in (1, 2, 3) for p in ('weight', 'bias')}
    assert 'memory_proj.2.weight' in names and 'out_proj.1.weight' in names
    assert not any(n.endswith(('q_proj.bias', 'k_proj.bias', 'v_proj.bias')) for n in names)


def test_init():
    torch.manual_seed(0)
    dec = ContextDecoder(visual_dim=64, transformer_width=64, transformer_heads=4)
    assert len(dec.decoder) == 3
    for m in dec.modules():
        if isinstance(m, nn.Linear):
            assert m.weight.std().item() == pytest.approx(0.02, rel=0.2)
            if m.bias is not None:
                assert torch.all(m.bias == 0)
        elif isinstance(m, nn.LayerNorm):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)


def test_cross_attention_uses_visual_context():
    torch.manual_seed(0)
    dec = ContextDecoder(visual_dim=8, transformer_width=8, transformer_heads=2,
                         transformer_layers=1).eval()
    text = torch.randn(1, 3, 8)
    a = dec(text, torch.randn(1, 5, 8))
    b = dec(text, torch.randn(1, 5, 8))
    assert not torch.allclose(a, b)
    # queries do not mix across the batch
    both = dec(torch.cat([text, text]), torch.randn(2, 5, 8))
    assert both.shape == (2, 3, 8)


def test_visual_context_and_bad_heads():
    tokens = visual_context(torch.zeros(2, 4), torch.ones(2, 4, 3, 5))
    assert tokens.shape == (2, 16, 4)
    assert torch.all(tokens[:, 0] == 0) and torch.all(tokens[:, 1:] == 1)
    with pytest.raises(ValueError, match='divisible'):
        ContextDecoder(visual_dim=8, transformer_width=10, transformer_heads=4)
