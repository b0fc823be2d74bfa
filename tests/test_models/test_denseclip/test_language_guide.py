"""Tests for ovseg/models/denseclip/language_guide.py: DenseCLIP's synonym rule."""
import torch
import torch.nn.functional as F

from ovseg.models.denseclip import average_synonyms

from denseclip_utils import build_seg


def _encoded(model, names):
    with torch.no_grad():
        return model.text_encoder(model.text_encoder.tokenize(list(names), model.name_length),
                                  context=model.contexts)  # (S, D)


def test_two_synonyms_follow_the_text_classifier_rule():
    model = build_seg('rn', vocab=('cat', 'dog', 'tree, bush', 'sky')).eval()
    with torch.no_grad():
        text = model._class_text()  # (K, D)
    both = _encoded(model, ['tree', 'bush'])
    expected = F.normalize(F.normalize(both, dim=-1).mean(0), dim=-1)  # TextClassifier's rule
    torch.testing.assert_close(F.normalize(text[2], dim=-1), expected)
    torch.testing.assert_close(text[2].norm(), both.norm(dim=-1).mean())


def _old_rule(model):
    """The plain mean of the synonyms' embeddings, DenseCLIP's rule before the Vocabulary type."""
    with torch.no_grad():
        text = model.text_encoder(model.texts, context=model.contexts)  # (S, D)
    k = model.num_vocabulary
    if text.shape[0] == k:
        return text
    count = torch.bincount(model.text_owner, minlength=k).clamp(min=1)
    return text.new_zeros(k, text.shape[1]).index_add_(0, model.text_owner, text) / count[:, None]


def test_single_names_are_unchanged():
    mixed = build_seg('rn', vocab=('cat', 'dog', 'tree, bush', 'sky')).eval()
    plain = build_seg('rn', vocab=('cat', 'dog', 'tree', 'sky')).eval()
    with torch.no_grad():
        assert torch.equal(mixed._class_text()[[0, 1, 3]], _old_rule(mixed)[[0, 1, 3]])
        assert torch.equal(plain._class_text(), _old_rule(plain))


def test_average_synonyms_shapes():
    text = torch.randn(5, 8)
    owner = torch.tensor([0, 1, 1, 2, 2])
    out = average_synonyms(text, owner, 3)
    assert out.shape == (3, 8) and torch.equal(out[0], text[0])
    torch.testing.assert_close(out[1:].norm(dim=-1), text[1:].norm(dim=-1).view(2, 2).mean(1))


def test_templates_put_every_synonym_into_every_template():
    model = build_seg('rn', vocab=('cat', 'dog', 'tree, bush', 'sky'),
                      templates=('{article} {}', 'a photo of a {}.'), context_length=4,
                      text_length=16).eval()
    with torch.no_grad():
        text = model._class_text()  # (K, D)
    tree = _encoded(model, ['a tree', 'a photo of a tree.', 'a bush', 'a photo of a bush.'])
    expected = F.normalize(F.normalize(tree, dim=-1).mean(0), dim=-1)
    torch.testing.assert_close(F.normalize(text[2], dim=-1), expected)
    assert model.text_owner.tolist() == [0, 0, 1, 1, 2, 2, 2, 2, 3, 3]


def test_default_template_is_the_bare_name():
    names = ('cat', 'dog', 'tree', 'sky')
    bare = build_seg('rn', vocab=names).eval()
    article = build_seg('rn', vocab=names, templates='synthworld').eval()
    with torch.no_grad():
        assert torch.equal(bare._class_text(), _old_rule(bare))
        assert not torch.allclose(bare._class_text(), article._class_text())
