"""PMP: text-query cross-attention in every Mask2Former decoder layer."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

import ovseg.models  # noqa: F401
from ovseg.models.proposals import (PLACEMENTS, PromptGuidedDecoderLayer,
                                    PromptGuidedTransformerDecoder)
from proposal_utils import EMBED_DIM, FEAT, seg_samples, tiny_mask2former_head_cfg

_ATTN = dict(embed_dims=FEAT, num_heads=2, batch_first=True)
_LAYER = dict(self_attn_cfg=_ATTN, cross_attn_cfg=_ATTN,
              ffn_cfg=dict(embed_dims=FEAT, feedforward_channels=64))


def _text(num: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(num, EMBED_DIM, generator=gen), dim=-1)


def _head(placement: str, seed: int = 0):
    torch.manual_seed(seed)
    head = MODELS.build(tiny_mask2former_head_cfg('PromptGuidedMask2FormerHead',
                                                  placement=placement))
    head.init_weights()
    return head.eval()


def _levels(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.rand(2, c, 32 // 2 ** i, 32 // 2 ** i, generator=gen)
            for i, c in enumerate([8, 16, 32, 64])]


@pytest.mark.parametrize('placement', PLACEMENTS)
def test_layer_shapes(placement):
    layer = PromptGuidedDecoderLayer(placement=placement, **copy.deepcopy(_LAYER))
    assert hasattr(layer, 'text_attn') == (placement != 'none')
    query, key = torch.rand(2, 5, FEAT), torch.rand(2, 12, FEAT)
    pos, key_pos = torch.rand(2, 5, FEAT), torch.rand(2, 12, FEAT)
    mask = torch.zeros(2 * 2, 5, 12, dtype=torch.bool)
    if placement != 'none':
        with pytest.raises(RuntimeError, match='text tokens'):
            layer(query, key, key, pos, key_pos, cross_attn_mask=mask)
    layer.text_tokens = torch.rand(2, 3, FEAT)  # (B, K, C)
    out = layer(query, key, key, pos, key_pos, cross_attn_mask=mask)
    assert out.shape == (2, 5, FEAT)


def test_decoder_text_context_and_bad_placement():
    decoder = PromptGuidedTransformerDecoder(placement='after_self', num_layers=2,
                                             layer_cfg=copy.deepcopy(_LAYER))
    tokens = torch.rand(1, 4, FEAT)
    with decoder.text(tokens):
        assert all(layer.text_tokens is tokens for layer in decoder.layers)
    assert all(layer.text_tokens is None for layer in decoder.layers)
    with pytest.raises(ValueError, match='placement'):
        PromptGuidedDecoderLayer(placement='sideways', **copy.deepcopy(_LAYER))


@pytest.mark.parametrize('placement', ['after_cross', 'after_self', 'before_cross'])
def test_changing_the_class_set_changes_the_queries(placement):
    head = _head(placement)
    x, samples = _levels(), seg_samples(2, 64, 3)
    with torch.no_grad():
        _, masks_a = head(x, samples, _text(3, seed=1))
        _, masks_b = head(x, samples, _text(3, seed=2))
        cls_c, masks_c = head(x, samples, _text(5, seed=1))
    assert len(masks_a) == 4 and masks_a[-1].shape == (2, 6, 32, 32)  # L + 1 predictions
    assert cls_c[-1].shape == (2, 6, 6)
    assert torch.equal(masks_a[0], masks_b[0])  # before the first layer: no text yet
    assert not torch.allclose(masks_a[-1], masks_b[-1], atol=1e-5)
    assert not torch.allclose(masks_a[-1], masks_c[-1], atol=1e-5)


def test_placement_none_equals_plain_head():
    pmp = _head('none', seed=0)
    torch.manual_seed(1)
    plain = MODELS.build(tiny_mask2former_head_cfg('OpenVocabMask2FormerHead')).eval()
    assert pmp.state_dict().keys() == plain.state_dict().keys()
    plain.load_state_dict(pmp.state_dict())
    x, samples = _levels(), seg_samples(2, 64, 3)
    with torch.no_grad():
        cls_pmp, masks_pmp = pmp(x, samples, _text(3, seed=1))
        cls_plain, masks_plain = plain(x, samples, _text(3, seed=1))
        _, masks_other = pmp(x, samples, _text(4, seed=2))
    for a, b in zip(cls_pmp + masks_pmp, cls_plain + masks_plain):
        assert torch.equal(a, b)
    assert torch.equal(masks_pmp[-1], masks_other[-1])  # masks ignore the vocabulary
    torch.manual_seed(0)
    assert torch.equal(pmp.loss(x, seg_samples(2, 64, 3), _text(3, 1))['loss_dice'],
                       (torch.manual_seed(0), plain.loss(x, seg_samples(2, 64, 3),
                                                         _text(3, 1)))[1]['loss_dice'])


def test_pmp_trains_its_text_layers():
    head = _head('after_cross').train()
    losses = head.loss(_levels(), seg_samples(2, 64, 3), _text(3, 1))
    sum(losses.values()).backward()
    layer = head.transformer_decoder.layers[0]
    assert head.text_proj.weight.grad is not None and head.text_proj.weight.grad.abs().sum() > 0
    assert layer.text_attn.attn.in_proj_weight.grad.abs().sum() > 0
    assert all(layer.text_tokens is None for layer in head.transformer_decoder.layers)
