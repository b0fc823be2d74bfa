"""ovseg.models.proposals.maskformer_generator: losses, proposals and vocabulary sampling."""
import pytest
import torch
from proposal_utils import (EMBED_DIM, build_generator, seg_samples, text_embeddings,
                            tiny_mask2former_head_cfg, tiny_maskformer_head_cfg)


@pytest.mark.parametrize('head', [tiny_maskformer_head_cfg, tiny_mask2former_head_cfg],
                         ids=['maskformer', 'mask2former'])
def test_loss_and_predict_shapes(head):
    generator = build_generator(head())
    inputs = torch.rand(2, 3, 64, 64) * 255
    losses = generator.loss(inputs, seg_samples(2, 64, num_classes=5), text_embeddings(5))
    assert {'loss_cls', 'loss_mask', 'loss_dice', 'd0.loss_cls'} <= set(losses)
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert generator.head.cls_embed.no_object_embedding.grad is not None
    assert generator.head.cls_embed.class_embeddings is None  # vocabulary context closed
    generator.eval()
    with torch.no_grad():
        for num in (3, 7):  # any vocabulary size at test time
            proposals = generator.predict(inputs, None, text_embeddings(num))
            assert len(proposals) == 2
            assert proposals[0].masks.shape == (6, 64, 64)
            assert proposals[0].class_logits.shape == (6, num + 1)
            assert ((proposals[0].masks >= 0) & (proposals[0].masks <= 1)).all()
    with pytest.raises(ValueError, match='class_embeddings'):
        generator.predict(inputs, None, None)


def test_vocabulary_sampling_relabels_ground_truth():
    generator = build_generator(tiny_mask2former_head_cfg(), num_sampled_classes=2)
    text = text_embeddings(5)
    gt = torch.tensor([[[0, 1, 2, 3, 4, 255]]])
    torch.manual_seed(3)
    sampled, (relabelled,) = generator._sample_vocabulary(text, [gt])
    assert sampled.shape == (2, EMBED_DIM)
    kept = [k for k in range(5) if any(torch.equal(text[k], s) for s in sampled)]
    expected = [kept.index(v) if v in kept else 255 for v in gt.flatten().tolist()]
    assert relabelled.flatten().tolist() == expected
    losses = generator.loss(torch.rand(1, 3, 64, 64) * 255, seg_samples(1, 64, 5), text)
    assert torch.isfinite(sum(losses.values()))

