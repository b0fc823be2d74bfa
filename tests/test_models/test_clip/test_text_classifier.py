"""Tests for ovseg/models/clip/text_classifier.py."""
import open_clip
import pytest
import torch
import torch.nn.functional as F

from ovseg.models.clip import CLIPTextEncoder, TextClassifier, VocabularyError
from ovseg.testing import TINY_VIT

TEMPLATES = ['a photo of a {}.', 'a drawing of the {}.']


def _classifier(checkpoint, **kwargs):
    kwargs.setdefault('templates', TEMPLATES)
    classifier = TextClassifier(
        text_encoder=dict(type='OVCLIPTextEncoder', model_name=TINY_VIT, pretrained=checkpoint),
        **kwargs)
    classifier.init_weights()
    return classifier.eval()


def _count_encoder_calls(classifier):
    calls = []
    classifier.text_encoder.register_forward_hook(lambda *args: calls.append(1))
    return calls


def _expected(clip, prompts_per_class):
    """Renormalised mean of normalised ``encode_text`` over each class's prompts."""
    rows = []
    for prompts in prompts_per_class:
        embeddings = F.normalize(clip.encode_text(open_clip.tokenize(prompts)), dim=-1)
        rows.append(F.normalize(embeddings.mean(0), dim=-1))
    return torch.stack(rows)


def test_template_averaging(tiny_vit_checkpoint, tiny_vit_clip):
    classifier = _classifier(tiny_vit_checkpoint)
    classifier.set_vocabulary(['cat', 'traffic light'])
    embeddings = classifier()
    expected = _expected(tiny_vit_clip, [[t.format(n) for t in TEMPLATES] for n in ('cat', 'traffic light')])
    assert embeddings.shape == (2, 32)
    torch.testing.assert_close(embeddings, expected, atol=1e-5, rtol=0)
    torch.testing.assert_close(embeddings.norm(dim=-1), torch.ones(2))
    torch.testing.assert_close(classifier.logit_scale, tiny_vit_clip.logit_scale)


def test_article_templates_are_filled_per_name(tiny_vit_checkpoint, tiny_vit_clip):
    classifier = _classifier(tiny_vit_checkpoint, templates='synthworld')
    classifier.set_vocabulary(['arrow', 'star'])
    expected = _expected(tiny_vit_clip, [['an arrow'], ['a star']])
    torch.testing.assert_close(classifier(), expected, atol=1e-5, rtol=0)


def test_synonyms_are_averaged(tiny_vit_checkpoint, tiny_vit_clip):
    classifier = _classifier(tiny_vit_checkpoint)
    classifier.set_vocabulary(['dog, puppy', 'cat'])
    expected = _expected(tiny_vit_clip, [[t.format(s) for s in ('dog', 'puppy') for t in TEMPLATES],
                                         [t.format('cat') for t in TEMPLATES]])
    torch.testing.assert_close(classifier(), expected, atol=1e-5, rtol=0)


def test_unchanged_vocabulary_is_not_re_encoded(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint)
    calls = _count_encoder_calls(classifier)
    classifier.set_vocabulary(['cat', 'dog'])
    first = classifier()
    assert len(calls) == 1
    classifier.set_vocabulary(['cat', 'dog'])
    classifier.train()  # frozen encoder and no context: training may use the cache too
    assert classifier() is first and len(calls) == 1
    classifier.set_vocabulary(['bird'])
    classifier()
    assert len(calls) == 2
    classifier.set_vocabulary(['cat', 'dog'])
    assert torch.equal(classifier(), first) and len(calls) == 2


def test_cache_is_invalidated_when_weights_change(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint)
    calls = _count_encoder_calls(classifier)
    classifier.set_vocabulary(['cat', 'dog'])
    before = classifier()
    projection = classifier.text_encoder.text_projection
    with torch.no_grad():  # an in-place update, as an optimizer step does
        projection.add_(torch.linspace(-1, 1, projection.numel()).view_as(projection))
    after = classifier()
    assert len(calls) == 2 and not torch.allclose(before, after)
    classifier.load_state_dict(_classifier(tiny_vit_checkpoint).state_dict())
    torch.testing.assert_close(classifier(), before)
    assert len(calls) == 3


def test_vocabulary_validation(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint)
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        classifier()
    with pytest.raises(ValueError, match='empty'):
        classifier.set_vocabulary([])
    with pytest.raises(VocabularyError, match=r"entries 0 \('cat'\) and 2 \('cat'\)"):
        classifier.set_vocabulary(['cat', 'dog', 'cat'])
    with pytest.raises(VocabularyError, match=r"\('Dog'\) and 1 \('dog'\)"):
        classifier.set_vocabulary(['Dog', 'dog '])
    with pytest.raises(VocabularyError, match="entry 1"):
        classifier.set_vocabulary('cat,,dog')


def test_too_long_names_warn_or_raise(tiny_vit_checkpoint):
    long_name = ' '.join(['word'] * 80)
    classifier = _classifier(tiny_vit_checkpoint, templates='single')
    with pytest.warns(UserWarning, match='word word'):
        classifier.set_vocabulary(['cat', long_name])
    assert classifier().shape == (2, 32)
    strict = _classifier(tiny_vit_checkpoint, templates='single', strict_length=True)
    with pytest.raises(ValueError, match='exceed 77 tokens'):
        strict.set_vocabulary([long_name])


def test_thousand_classes_in_chunks(tiny_vit_checkpoint):
    names = [f'object number {i}' for i in range(1000)]
    chunked = _classifier(tiny_vit_checkpoint, templates='single', chunk_size=300)
    chunked.set_vocabulary(names)
    whole = _classifier(tiny_vit_checkpoint, templates='single', chunk_size=1000)
    whole.set_vocabulary(names)
    embeddings = chunked()
    assert embeddings.shape == (1000, 32)
    torch.testing.assert_close(embeddings, whole(), atol=1e-5, rtol=0)


def test_learnable_context_trains_without_cache(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=4, vocabulary=['cat', 'dog'])
    calls = _count_encoder_calls(classifier)
    assert classifier.context.shape == (1, 4, 64)
    classifier.train()
    first = classifier()
    classifier().sum().backward()
    assert len(calls) == 2
    assert classifier.context.grad is not None
    assert all(p.grad is None for p in classifier.text_encoder.parameters())
    classifier.eval()
    classifier()
    classifier()
    assert len(calls) == 3
    assert first.shape == (2, 32)


def test_class_specific_context(tiny_vit_checkpoint):
    with pytest.raises(ValueError, match='vocabulary at build time'):
        _classifier(tiny_vit_checkpoint, num_context_tokens=2, class_specific_context=True)
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=2, class_specific_context=True,
                             vocabulary=['cat', 'dog, puppy', 'bird'])
    assert classifier.context.shape == (3, 2, 64)
    assert classifier().shape == (3, 32)
    with pytest.raises(ValueError, match='built for 3 classes'):
        classifier.set_vocabulary(['cat', 'dog'])


def test_injected_encoder_and_vocabulary_sources(tmp_path):
    encoder = CLIPTextEncoder(model_name=TINY_VIT)
    classifier = TextClassifier(text_encoder=encoder, templates='vild').eval()
    vocab_file = tmp_path / 'vocab.txt'
    vocab_file.write_text('cat\ndog, puppy\n')
    classifier.set_vocabulary(str(vocab_file))
    assert classifier.vocabulary == ['cat', 'dog, puppy']
    assert classifier().shape == (2, 32)


def test_encode_leaves_the_vocabulary(tiny_vit_checkpoint):
    from ovseg.models.clip import Vocabulary
    classifier = _classifier(tiny_vit_checkpoint)
    classifier.set_vocabulary(['cat', 'dog'])
    current = classifier()
    other = classifier.encode(['sky', 'road, route', 'tree'])
    assert other.shape == (3, 32)
    assert classifier.vocabulary == ['cat', 'dog'] and classifier() is current
    again = _classifier(tiny_vit_checkpoint)
    again.set_vocabulary(Vocabulary(['sky', 'road, route', 'tree']))
    torch.testing.assert_close(again(), other, atol=0, rtol=0)
    assert classifier.encode(Vocabulary(['cat', 'dog'])) is current  # the same cache


def test_encode_cache(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint)
    calls = _count_encoder_calls(classifier)
    first = classifier.encode(['sky', 'tree'])
    assert classifier.encode(['sky', 'tree']) is first and len(calls) == 1
    assert classifier.vocabulary is None


def test_whole_rule_formats_the_comma_name(tiny_vit_checkpoint, tiny_vit_clip):
    classifier = _classifier(tiny_vit_checkpoint, synonyms='whole')
    classifier.set_vocabulary(['road, route', 'sky'])
    expected = _expected(tiny_vit_clip, [[t.format('road, route') for t in TEMPLATES],
                                         [t.format('sky') for t in TEMPLATES]])
    torch.testing.assert_close(classifier(), expected, atol=1e-5, rtol=0)


def test_encode_prompts_gives_each_prompt_before_the_mean(tiny_vit_checkpoint, tiny_vit_clip):
    classifier = _classifier(tiny_vit_checkpoint)
    calls = _count_encoder_calls(classifier)
    embeddings, class_index = classifier.encode_prompts(['cat', 'dog, puppy'])
    prompts = [t.format(n) for n in ('cat', 'dog', 'puppy') for t in TEMPLATES]
    expected = F.normalize(tiny_vit_clip.encode_text(open_clip.tokenize(prompts)), dim=-1)
    assert torch.allclose(embeddings, expected, atol=1e-5)
    assert class_index.tolist() == [0, 0, 1, 1, 1, 1]
    classifier.encode_prompts(['cat', 'dog, puppy'])  # cached apart from the class means
    assert len(calls) == 1
    means = F.normalize(torch.stack([embeddings[:2].mean(0), embeddings[2:].mean(0)]), dim=-1)
    assert torch.allclose(classifier.encode(['cat', 'dog, puppy']), means, atol=1e-5)
