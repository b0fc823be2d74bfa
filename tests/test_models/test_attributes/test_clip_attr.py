"""Tests for ovseg/models/attributes/clip_attr.py."""
import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from ovseg.datasets.transforms import CropBoxRegion, PackAttributeInputs
from ovseg.models.attributes import CLIPAttr, FederatedAttributeLoss
from ovseg.models.clip import Vocabulary
from ovseg.testing import TINY_RN

ATTRIBUTES = Vocabulary(['red', 'blue', 'striped'], parents=['color', 'color', 'pattern'])
CATEGORIES = ['circle', 'square, box']


def _model(checkpoint=None, **kwargs):
    model = CLIPAttr(model_name=TINY_RN, pretrained=checkpoint, num_context_tokens=3, **kwargs)
    model.init_weights()
    model.set_attribute_vocabulary(ATTRIBUTES)
    model.set_vocabulary(CATEGORIES)
    return model


def _sample(attributes, label, spaces=('attribute', 'category')):
    return BaseDataElement(metainfo=dict(label_spaces=spaces),
                           gt_attributes=torch.tensor(attributes), gt_label=torch.tensor(label))


def test_modes_give_documented_shapes(tiny_rn_checkpoint, tiny_rn_clip):
    model = _model(tiny_rn_checkpoint)
    torch.testing.assert_close(model.visual.state_dict(), tiny_rn_clip.visual.state_dict())
    torch.testing.assert_close(model.text_encoder.text_projection, tiny_rn_clip.text_projection)
    assert model.logit_scale.item() == pytest.approx(model.text_encoder.logit_scale.item())
    assert model.classifier.vocabulary is None  # vocabularies live in the head
    inputs = torch.rand(2, 3, 32, 32)
    attributes, categories = model(inputs)
    assert attributes.shape == (2, 3) and categories.shape == (2, 2)
    samples = model(inputs, [_sample([1, 0, -1], 0), _sample([0, 1, 1], 1)], mode='predict')
    assert samples[0].pred_attribute_scores.shape == (3,)
    assert ((samples[1].pred_category_scores > 0) & (samples[1].pred_category_scores < 1)).all()
    losses = model(inputs, [_sample([1, 0, -1], 0), _sample([0, 1, 1], 1)], mode='loss')
    assert {'loss_attribute', 'loss_category', 'logit_scale'} <= set(losses)


def test_frozen_image_tower_and_trainable_prompts():
    model = _model().train()
    assert not any(p.requires_grad for p in model.visual.parameters())
    assert not model.visual.training
    assert model.classifier.context.requires_grad and model.logit_scale.requires_grad
    losses = model(torch.rand(2, 3, 32, 32), [_sample([1, 0, -1], 0), _sample([0, 1, 1], 1)],
                   mode='loss')
    (losses['loss_attribute'] + losses['loss_category']).backward()
    assert model.classifier.context.grad.abs().sum() > 0


def test_federated_batch_supervises_each_sample_in_its_label_space():
    """Sample 0 is attribute data, sample 1 detection data: each loss sees one sample."""
    torch.manual_seed(0)
    model = _model().eval()  # eval: no synonym averaging differences for single-name classes
    model.set_vocabulary(['circle', 'square'])
    inputs = torch.rand(2, 3, 32, 32)
    samples = [_sample([1, 0, -1], -1, ('attribute',)), _sample([0, 1, 1], 1, ('category',))]
    losses = model.loss(inputs, samples)
    attributes, categories = model(inputs)
    loss_fn = FederatedAttributeLoss(unknown_weight=0.2)
    torch.testing.assert_close(losses['loss_attribute'],
                               loss_fn(attributes[:1], torch.tensor([[1, 0, -1]])))
    torch.testing.assert_close(losses['loss_category'],
                               loss_fn(categories[1:], torch.tensor([[0, 1]])))


def test_training_label_space_drops_unseen_classes():
    model = _model()
    model.set_training_label_space(attribute_counts=[16, 1, 0],
                                   attribute_trained=[True, True, False],
                                   category_trained=[True, False])
    torch.testing.assert_close(model.attribute_weights, torch.tensor([2 / 3, 4 / 3, 0.0]))
    assert model.category_weights.tolist() == [1.0, 0.0]
    # a sample of the unseen category: its own class is not trained, only 'circle' negative
    inputs = torch.rand(1, 3, 32, 32)
    losses = model.loss(inputs, [_sample([-1, -1, -1], 1)])
    _, categories = model._logits(inputs, 'mean')
    expected = torch.nn.functional.softplus(categories[0, 0])  # BCE(x, 0)
    torch.testing.assert_close(losses['loss_category'], expected)
    with pytest.raises(ValueError, match='attribute label space'):
        model.set_training_label_space(attribute_counts=[1, 2])


def test_predict_boxes_sees_the_pipeline_crops():
    """Boxes given at inference are cropped exactly as the test pipeline crops objects."""
    model = _model().eval()
    image = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    boxes = [[3.0, 4.0, 30.0, 20.0], [40.0, 10.0, 60.0, 47.0]]
    crop, pack = CropBoxRegion(size=32, scale=1.1), PackAttributeInputs()
    packed = [pack(crop(dict(img=image, bbox=box, attribute_targets=np.array([1, 0, -1]),
                             bbox_label=0))) for box in boxes]
    data = model.data_preprocessor(dict(inputs=[p['inputs'] for p in packed],
                                        data_samples=[p['data_samples'] for p in packed]))
    samples = model.predict(data['inputs'], data['data_samples'])
    attributes, categories = model.predict_boxes(
        torch.from_numpy(image).permute(2, 0, 1), torch.tensor(boxes))
    torch.testing.assert_close(attributes, torch.stack([s.pred_attribute_scores for s in samples]))
    torch.testing.assert_close(categories, torch.stack([s.pred_category_scores for s in samples]))


def test_vocabularies_are_required():
    model = CLIPAttr(model_name=TINY_RN, num_context_tokens=3)
    with pytest.raises(RuntimeError, match='set_attribute_vocabulary'):
        model(torch.rand(1, 3, 32, 32))
    with pytest.raises(ValueError, match='parent type'):
        model.set_attribute_vocabulary(Vocabulary(['red']))
