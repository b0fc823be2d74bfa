"""Tests for ovseg/models/clip/text_encoder.py."""
import open_clip
import pytest
import torch
from mmengine.registry import DefaultScope

from ovseg.models.clip import CLIPTextEncoder
from ovseg.testing import TINY_VIT

NAMES = ['cat', 'traffic light', 'a photo of a dog']


@pytest.fixture
def encoder(tiny_vit_checkpoint):
    encoder = CLIPTextEncoder(model_name=TINY_VIT, pretrained=tiny_vit_checkpoint)
    encoder.init_weights()
    return encoder.eval()


def test_equals_encode_text_without_context(encoder, tiny_vit_clip):
    tokens = open_clip.tokenize(NAMES)
    # Trainable weights make torch take the slow attention path (differences ~1e-6) ...
    torch.testing.assert_close(encoder(tokens), tiny_vit_clip.encode_text(tokens), atol=1e-5, rtol=0)
    # ... with the same kernels on both sides the result is bitwise equal.
    tiny_vit_clip.requires_grad_(False)
    assert torch.equal(encoder(tokens), tiny_vit_clip.encode_text(tokens))
    torch.testing.assert_close(encoder.logit_scale, tiny_vit_clip.logit_scale)


def test_short_token_sequences_give_the_same_embeddings(encoder, tiny_vit_clip):
    short = encoder.tokenize(NAMES, context_length=8)
    assert short.shape == (3, 8)
    torch.testing.assert_close(encoder(short), tiny_vit_clip.encode_text(open_clip.tokenize(NAMES)),
                               atol=1e-5, rtol=0)


def test_context_is_inserted_after_start_token(encoder, tiny_vit_clip):
    """Context = embeddings of 'a photo of a' must reproduce the full sentence."""
    prefix = encoder.tokenize(['a photo of a'], context_length=8)[0, 1:5]  # 4 word tokens
    context = encoder.token_embedding(prefix)[None]  # (1, 4, W)
    tokens = encoder.tokenize(['cat', 'dog'], context_length=10)
    expected = tiny_vit_clip.encode_text(open_clip.tokenize(['a photo of a cat', 'a photo of a dog']))
    torch.testing.assert_close(encoder(tokens, context), expected, atol=1e-5, rtol=0)


def test_context_shapes(encoder):
    tokens = encoder.tokenize(NAMES, context_length=8)
    width = encoder.width
    assert encoder(tokens, torch.randn(1, 5, width)).shape == (3, 32)
    assert encoder(tokens, torch.randn(3, 5, width)).shape == (3, 32)
    per_image = encoder(tokens, torch.randn(2, 1, 5, width))
    assert per_image.shape == (2, 3, 32)
    assert encoder(tokens, torch.randn(2, 3, 5, width)).shape == (2, 3, 32)
    shared = torch.randn(1, 5, width)
    torch.testing.assert_close(encoder(tokens, shared[None].expand(2, -1, -1, -1))[1],
                               encoder(tokens, shared), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match='exceed the context length'):
        encoder(encoder.tokenize(NAMES), torch.randn(1, 1, width))


def test_frozen_weights_pass_gradients_to_context(encoder):
    assert not any(p.requires_grad for p in encoder.parameters())
    context = torch.randn(1, 4, encoder.width, requires_grad=True)
    encoder.train()
    encoder(encoder.tokenize(NAMES, context_length=8), context).sum().backward()
    assert context.grad is not None and context.grad.abs().sum() > 0
    assert all(p.grad is None for p in encoder.parameters())


def test_unfrozen_weights_get_gradients():
    encoder = CLIPTextEncoder(model_name=TINY_VIT, freeze=False)
    encoder(encoder.tokenize(NAMES, context_length=8)).sum().backward()
    assert encoder.token_embedding.weight.grad is not None
    assert encoder.text_projection.grad is not None


def test_truncated_context_length(tiny_vit_checkpoint, tiny_vit_clip):
    encoder = CLIPTextEncoder(model_name=TINY_VIT, pretrained=tiny_vit_checkpoint, context_length=13)
    encoder.init_weights()
    assert encoder.positional_embedding.shape == (13, 64)
    assert encoder.attn_mask.shape == (13, 13)
    torch.testing.assert_close(encoder.positional_embedding, tiny_vit_clip.positional_embedding[:13])
    tokens = encoder.tokenize(NAMES, context_length=5)
    out = encoder(tokens, torch.zeros(1, 8, encoder.width))
    assert out.shape == (3, 32)


@pytest.mark.parametrize('scope', ['mmseg', 'mmdet'])
def test_builds_under_downstream_scopes(scope):
    models = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
    with DefaultScope.overwrite_default_scope(scope):
        encoder = models.build(dict(type='OVCLIPTextEncoder', model_name=TINY_VIT))
    assert isinstance(encoder, CLIPTextEncoder)


def test_encode_embeddings_with_vectors_between_words(encoder):
    """Vectors placed anywhere: equal to the tokens whose embeddings they copy."""
    tokens = encoder.tokenize(['a red circle'], context_length=8)  # [SOT] a red circle [EOT]
    x = encoder.token_embedding(tokens)  # (1, 8, W)
    eot = torch.tensor([4])
    torch.testing.assert_close(encoder.encode_embeddings(x, eot), encoder(tokens))
    # the 'red' slot replaced by a vector: differentiable w.r.t. that vector only
    vector = x[:, 2].clone().requires_grad_(True)
    x = torch.cat([x[:, :2], vector[:, None], x[:, 3:]], dim=1)
    encoder.encode_embeddings(x, eot).sum().backward()
    assert vector.grad.abs().sum() > 0
