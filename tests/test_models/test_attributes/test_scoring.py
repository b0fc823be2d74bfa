"""Tests for ovseg/models/attributes/scoring.py (vocabularies and exp(s)·cos scores)."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement

from ovseg.models.attributes import CLIPAttr
from ovseg.models.clip import Vocabulary
from ovseg.testing import TINY_RN


def test_text_logits_are_scaled_cosines_pooled_per_class():
    model = CLIPAttr(model_name=TINY_RN, num_context_tokens=3, category_type='shape').eval()
    with pytest.raises(RuntimeError, match='set_attribute_vocabulary'):
        model._text_logits(torch.zeros(1, 32), 'max')
    model.set_attribute_vocabulary(Vocabulary(['red', 'blue'], parents=['color', 'color']))
    model.set_vocabulary(['circle', 'square, box'])
    assert model._categories.parents == ('shape', 'shape')
    embeds = F.normalize(torch.randn(4, 32), dim=-1)
    attributes, categories = model._text_logits(embeds, 'max')
    text, index = model.classifier.encode_prompts(model._categories)  # 3 prompts, 2 classes
    assert index.tolist() == [0, 1, 1]
    cosine = model.logit_scale.exp() * embeds @ text.t()  # (4, 3)
    torch.testing.assert_close(categories, torch.stack(
        [cosine[:, 0], cosine[:, 1:].max(dim=1).values], dim=1))
    mean = model._text_logits(embeds, 'mean')[1]
    torch.testing.assert_close(mean[:, 1], cosine[:, 1:].mean(dim=1))
    assert attributes.shape == (4, 2)


def test_sample_mask_reads_the_label_spaces():
    samples = [BaseDataElement(metainfo=dict(label_spaces=('attribute',))), BaseDataElement()]
    assert CLIPAttr._sample_mask(samples, 'category').tolist() == [False, True]
    assert CLIPAttr._sample_mask(samples, 'attribute').tolist() == [True, True]
