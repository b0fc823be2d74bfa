"""Open-vocabulary MaskFormer / Mask2Former proposal heads inside the proposal generator."""
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

import ovseg.models  # noqa: F401
from ovseg.models.proposals import OpenVocabClassEmbed
from proposal_utils import (EMBED_DIM, seg_samples, tiny_backbone_cfg,
                             tiny_mask2former_head_cfg, tiny_maskformer_head_cfg)


def _generator(head: dict, **kwargs):
    torch.manual_seed(0)
    return MODELS.build(dict(type='MaskFormerProposalGenerator', backbone=tiny_backbone_cfg(),
                             head=head, **kwargs))


def _text(num: int, seed: int = 0) -> torch.Tensor:
    return F.normalize(torch.randn(num, EMBED_DIM, generator=torch.Generator().manual_seed(seed)),
                       dim=-1)


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


@pytest.mark.parametrize('head', [tiny_maskformer_head_cfg, tiny_mask2former_head_cfg],
                         ids=['maskformer', 'mask2former'])
def test_loss_and_predict_shapes(head):
    generator = _generator(head())
    inputs = torch.rand(2, 3, 64, 64) * 255
    losses = generator.loss(inputs, seg_samples(2, 64, num_classes=5), _text(5))
    assert {'loss_cls', 'loss_mask', 'loss_dice', 'd0.loss_cls'} <= set(losses)
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert generator.head.cls_embed.no_object_embedding.grad is not None
    assert generator.head.cls_embed.class_embeddings is None  # vocabulary context closed
    generator.eval()
    with torch.no_grad():
        for num in (3, 7):  # any vocabulary size at test time
            proposals = generator.predict(inputs, None, _text(num))
            assert len(proposals) == 2
            assert proposals[0].masks.shape == (6, 64, 64)
            assert proposals[0].class_logits.shape == (6, num + 1)
            assert ((proposals[0].masks >= 0) & (proposals[0].masks <= 1)).all()
    with pytest.raises(ValueError, match='class_embeddings'):
        generator.predict(inputs, None, None)


def test_vocabulary_sampling_relabels_ground_truth():
    generator = _generator(tiny_mask2former_head_cfg(), num_sampled_classes=2)
    text = _text(5)
    gt = torch.tensor([[[0, 1, 2, 3, 4, 255]]])
    torch.manual_seed(3)
    sampled, (relabelled,) = generator._sample_vocabulary(text, [gt])
    assert sampled.shape == (2, EMBED_DIM)
    kept = [k for k in range(5) if any(torch.equal(text[k], s) for s in sampled)]
    expected = [kept.index(v) if v in kept else 255 for v in gt.flatten().tolist()]
    assert relabelled.flatten().tolist() == expected
    losses = generator.loss(torch.rand(1, 3, 64, 64) * 255, seg_samples(1, 64, 5), text)
    assert torch.isfinite(sum(losses.values()))


def test_head_rejects_wrong_embedding_size():
    generator = _generator(tiny_mask2former_head_cfg())
    with pytest.raises(ValueError, match=f'\\(K, {EMBED_DIM}\\)'):
        generator.predict(torch.rand(1, 3, 64, 64), None, torch.rand(3, EMBED_DIM + 1))
