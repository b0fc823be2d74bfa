"""ovseg.models.text_retrieval.distinguish: seeded 2-means and semantic-aware prompts."""
import numpy as np
import pytest
import torch

from ovseg.models.clip import CLIPTextEncoder
from ovseg.models.text_retrieval import SemanticAwarePrompts, nearest_cluster, two_means
from ovseg.testing import TINY_RN

WORDS = ['the', 'of', 'and', 'to', 'cat', 'cart', 'bike', 'hotel', 'train', 'moon']


def test_two_means_separates_blobs_deterministically():
    rng = np.random.default_rng(3)
    points = np.concatenate([rng.normal(0, 0.1, (20, 4)), rng.normal(5, 0.1, (30, 4))])
    first, second = two_means(points, seed=0), two_means(points, seed=0)
    np.testing.assert_array_equal(first, second)
    labels = nearest_cluster(torch.from_numpy(points), torch.from_numpy(first)).numpy()
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1
    assert labels[0] != labels[20]
    np.testing.assert_allclose(sorted(first[:, 0]), [points[:20, 0].mean(), points[20:, 0].mean()])


def _prompts(encoder):
    return SemanticAwarePrompts(width=encoder.width, embed_dim=encoder.embed_dim)


def test_fit_is_deterministic_and_the_is_a_function_word():
    torch.manual_seed(0)
    encoder = CLIPTextEncoder(model_name=TINY_RN)
    a, b = _prompts(encoder), _prompts(encoder)
    a.fit(encoder, WORDS, seed=0)
    b.fit(encoder, WORDS, seed=0)
    assert torch.equal(a.centroids, b.centroids)
    assert torch.equal(a.function_cluster, b.function_cluster)
    flags = a.is_function_word(encoder, WORDS)
    assert flags[0] and torch.equal(flags, b.is_function_word(encoder, WORDS))
    assert 0 < int(flags.sum()) < len(WORDS)  # two non-empty clusters
    # centroids are buffers, saved with the model
    assert {'centroids', 'function_cluster'} <= set(a.state_dict())


def test_unfitted_prompts_treat_every_word_as_content_and_anchor_is_required():
    encoder = CLIPTextEncoder(model_name=TINY_RN)
    prompts = _prompts(encoder)
    assert not prompts.is_function_word(encoder, WORDS).any()
    with pytest.raises(ValueError, match="anchor 'the'"):
        prompts.fit(encoder, ['cat', 'dog'])


def test_function_and_content_words_get_their_own_context():
    torch.manual_seed(0)
    encoder = CLIPTextEncoder(model_name=TINY_RN)
    prompts = _prompts(encoder)
    words = ['the', 'cat']
    function = torch.tensor([True, False])
    out = prompts(encoder, words, function)
    assert out.shape == (2, encoder.embed_dim)
    torch.testing.assert_close(out.norm(dim=-1), torch.ones(2))
    # each row is the text tower on [SOT] ctx <word> . [EOT] with its group's context
    for row, word, context in ((0, 'the', prompts.function_context),
                               (1, 'cat', prompts.content_context)):
        tokens = encoder.tokenize([f'{word}.'], context_length=8)
        expected = torch.nn.functional.normalize(encoder(tokens, context), dim=-1)[0]
        torch.testing.assert_close(out[row], expected)
    out.sum().backward()
    assert prompts.function_context.grad.abs().sum() > 0
    assert prompts.content_context.grad.abs().sum() > 0


def test_template_is_the_words_text_with_and_without_contexts():
    torch.manual_seed(0)
    encoder = CLIPTextEncoder(model_name=TINY_RN)
    template = 'the word "{}"'
    bare = SemanticAwarePrompts(width=encoder.width, embed_dim=encoder.embed_dim,
                                learnable=False, template=template)
    expected = torch.nn.functional.normalize(
        encoder(encoder.tokenize(['the word "cart"'])), dim=-1)[0]
    torch.testing.assert_close(bare(encoder, ['cart'])[0], expected)
    # the default stays FDP's '<word>.'
    default = SemanticAwarePrompts(width=encoder.width, embed_dim=encoder.embed_dim,
                                   learnable=False)
    assert not torch.allclose(default(encoder, ['cart'])[0], expected)
    learnable = SemanticAwarePrompts(width=encoder.width, embed_dim=encoder.embed_dim,
                                     template=template)
    tokens = encoder.tokenize(['the word "cart"'], context_length=12)
    with_context = torch.nn.functional.normalize(
        encoder(tokens, learnable.content_context), dim=-1)[0]
    torch.testing.assert_close(learnable(encoder, ['cart'], torch.tensor([False]))[0],
                               with_context)
    with pytest.raises(ValueError, match='template'):
        SemanticAwarePrompts(width=encoder.width, embed_dim=encoder.embed_dim, template='x')
