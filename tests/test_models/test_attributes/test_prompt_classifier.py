"""Tests for ovseg/models/attributes/prompt_classifier.py."""
import open_clip
import pytest
import torch
import torch.nn.functional as F

from ovseg.models.attributes import (CONTEXT_SLOT, AttributePromptClassifier,
                                     pool_prompt_logits)
from ovseg.models.clip import CLIPTextEncoder, Vocabulary, VocabularyError
from ovseg.testing import TINY_VIT


def _classifier(checkpoint, num_context_tokens=30):
    encoder = CLIPTextEncoder(model_name=TINY_VIT, pretrained=checkpoint)
    classifier = AttributePromptClassifier(text_encoder=encoder,
                                           num_context_tokens=num_context_tokens)
    classifier.init_weights()
    return classifier


def _ids(text):
    """BPE ids of ``text`` without [SOT]/[EOT], from open_clip's own tokenizer."""
    tokens = open_clip.tokenize([text])[0]
    return tokens[1:int((tokens != 0).sum()) - 1].tolist()


def test_prompt_layout_puts_ten_vectors_around_name_and_parent():
    classifier = AttributePromptClassifier(
        text_encoder=CLIPTextEncoder(model_name=TINY_VIT))
    name, parent = _ids('light blue'), _ids('color')
    layout = classifier.prompt_layout('light blue', 'color')
    slot = [CONTEXT_SLOT]
    assert layout == ([49406] + slot * 10 + name + slot * 10 + parent + slot * 10 + [49407])
    # [EOT] after 1 + 30 + 2 + 1 tokens: position 34
    assert layout.index(49407) == 1 + 30 + len(name) + len(parent)
    assert classifier.context.shape == (1, 30, 64)


def test_plain_prompt_equals_clip_encode_text(tiny_vit_checkpoint, tiny_vit_clip):
    """No vectors: '[SOT] red color [EOT]' is CLIP's own embedding of 'red color'."""
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=0).eval()
    vocab = Vocabulary(['red', 'dotted'], parents=['color', 'pattern'])
    embeddings, class_index = classifier.encode_prompts(vocab)
    expected = F.normalize(tiny_vit_clip.encode_text(
        open_clip.tokenize(['red color', 'dotted pattern'])), dim=-1)
    torch.testing.assert_close(embeddings, expected, atol=1e-5, rtol=1e-5)
    assert class_index.tolist() == [0, 1]


def test_vectors_fill_the_slots_in_order(tiny_vit_checkpoint, tiny_vit_clip):
    """Vectors set to the embeddings of 'a', 'of', 'the' give CLIP's 'a red of color the'."""
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=3).eval()
    words = torch.tensor([_ids(w)[0] for w in ('a', 'of', 'the')])
    with torch.no_grad():
        classifier.context.copy_(tiny_vit_clip.token_embedding(words)[None])
    embeddings, _ = classifier.encode_prompts(
        Vocabulary(['red', 'striped'], parents=['color', 'pattern']))
    expected = F.normalize(tiny_vit_clip.encode_text(
        open_clip.tokenize(['a red of color the', 'a striped of pattern the'])), dim=-1)
    torch.testing.assert_close(embeddings, expected, atol=1e-5, rtol=1e-5)


def test_vectors_learn_and_synonyms_get_one_prompt_each(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=6).train()
    vocab = Vocabulary(['red, scarlet', 'circle'], parents=['color', 'shape'])
    embeddings, class_index = classifier.encode_prompts(vocab)
    assert embeddings.shape == (3, 32) and class_index.tolist() == [0, 0, 1]
    embeddings.sum().backward()
    assert classifier.context.grad is not None and classifier.context.grad.abs().sum() > 0
    # the averaged class embedding of the base class is still available
    assert classifier.encode(vocab).shape == (2, 32)


def test_vocabulary_without_parents_is_refused(tiny_vit_checkpoint):
    classifier = _classifier(tiny_vit_checkpoint, num_context_tokens=3)
    with pytest.raises(VocabularyError, match='parent type'):
        classifier.encode_prompts(Vocabulary(['red']))
    with pytest.raises(ValueError, match='multiple of 3'):
        AttributePromptClassifier(text_encoder=CLIPTextEncoder(model_name=TINY_VIT),
                                  num_context_tokens=4)


def test_synonym_pooling_mean_in_training_max_at_test():
    logits = torch.tensor([[1.0, 4.0, -2.0, 0.5], [0.0, -1.0, 3.0, 2.0]])
    index = torch.tensor([0, 0, 1, 1])
    assert pool_prompt_logits(logits, index, 2, mode='mean').tolist() == [[2.5, -0.75],
                                                                          [-0.5, 2.5]]
    assert pool_prompt_logits(logits, index, 2, mode='max').tolist() == [[4.0, 0.5],
                                                                         [0.0, 3.0]]


def test_templates_average_clip_embeddings_per_synonym(tiny_vit_checkpoint, tiny_vit_clip):
    """Hand-written templates: each synonym's embedding is the renormalised mean of CLIP's
    embeddings of its filled templates ({article}, {parent} filled)."""
    encoder = CLIPTextEncoder(model_name=TINY_VIT, pretrained=tiny_vit_checkpoint)
    templates = ['a photo of {article} {} thing.', 'the {parent} is {}.']
    classifier = AttributePromptClassifier(text_encoder=encoder, num_context_tokens=0,
                                           templates=templates)
    classifier.init_weights()
    classifier.eval()
    vocab = Vocabulary(['orange, amber', 'dotted'], parents=['color', 'pattern'])
    embeddings, class_index = classifier.encode_prompts(vocab)
    texts = [['a photo of an orange thing.', 'the color is orange.'],
             ['a photo of an amber thing.', 'the color is amber.'],
             ['a photo of a dotted thing.', 'the pattern is dotted.']]
    clip = [F.normalize(tiny_vit_clip.encode_text(open_clip.tokenize(t)), dim=-1).mean(0)
            for t in texts]
    torch.testing.assert_close(embeddings, F.normalize(torch.stack(clip), dim=-1),
                               atol=1e-5, rtol=1e-5)
    assert class_index.tolist() == [0, 0, 1]
    # the class embeddings (encode) average all of a class's synonyms x templates
    assert classifier.encode(vocab).shape == (2, 32)


def test_templates_by_set_name_and_need_no_vectors():
    encoder = CLIPTextEncoder(model_name=TINY_VIT)
    classifier = AttributePromptClassifier(text_encoder=encoder, num_context_tokens=0,
                                           templates='synthworld_attribute')
    assert classifier.prompt_templates[0] == '{article} {}'
    assert classifier.context is None
    with pytest.raises(ValueError, match='num_context_tokens=0'):
        AttributePromptClassifier(text_encoder=encoder, templates='attribute')
