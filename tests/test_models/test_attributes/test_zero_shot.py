"""Tests for ovseg/models/attributes/zero_shot.py: CLIP's own scores of hand-written prompts."""
import open_clip
import pytest
import torch
import torch.nn.functional as F

from ovseg.models.attributes import ZeroShotCLIPAttr
from ovseg.models.clip import Vocabulary
from ovseg.testing import TINY_RN


def test_logits_are_clip_cosines_with_template_ensembles(tiny_rn_checkpoint, tiny_rn_clip):
    model = ZeroShotCLIPAttr(model_name=TINY_RN, pretrained=tiny_rn_checkpoint,
                             templates=['a {} {parent}', 'the {parent} is {}'],
                             category_type='shape')
    model.init_weights()
    model.eval()
    assert model.classifier.context is None
    assert not any('context' in key for key in model.state_dict())
    model.set_attribute_vocabulary(Vocabulary(['red', 'dotted'], parents=['color', 'pattern']))
    model.set_vocabulary(['circle', 'star'])
    crops = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        image = F.normalize(tiny_rn_clip.encode_image(crops), dim=-1)

        def ensemble(texts):  # CLIP's prompt ensemble: mean of normalised, renormalised
            embeddings = F.normalize(tiny_rn_clip.encode_text(open_clip.tokenize(texts)), dim=-1)
            return F.normalize(embeddings.mean(0), dim=-1)

        attr_text = torch.stack([ensemble(['a red color', 'the color is red']),
                                 ensemble(['a dotted pattern', 'the pattern is dotted'])])
        cat_text = torch.stack([ensemble(['a circle shape', 'the shape is circle']),
                                ensemble(['a star shape', 'the shape is star'])])
    attributes, categories = model(crops)
    scale = tiny_rn_clip.logit_scale.exp()
    torch.testing.assert_close(attributes, scale * image @ attr_text.t(), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(categories, scale * image @ cat_text.t(), atol=1e-4, rtol=1e-4)


def test_learned_vectors_are_refused():
    with pytest.raises(ValueError, match='num_context_tokens must be 0'):
        ZeroShotCLIPAttr(model_name=TINY_RN, num_context_tokens=30)
