import pytest
import torch
from mmengine.structures import BaseDataElement

from ovseg.models.mask_adapted import MaskAdaptedCLIP


def _model(trainable):
    torch.manual_seed(0)
    return MaskAdaptedCLIP(
        trainable=trainable, templates='single',
        image_tower=dict(type='MaskPromptViT', model_name='ovseg-tiny-vit', prompt_depth=2,
                         prompt_init='normal'),
        text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'))


def _batch(model, nouns=('star', 'disk', 'grass')):
    masks = torch.zeros(len(nouns), 32, 32)
    for i in range(len(nouns)):
        masks[i, 4 * i:4 * i + 12, 2:20] = 1
    samples = [BaseDataElement(text=n, region_mask=m, gt_label=torch.tensor(i))
               for i, (n, m) in enumerate(zip(nouns, masks))]
    images = [torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8) for _ in nouns]
    return model.data_preprocessor(dict(inputs=images, data_samples=samples), training=True)


@pytest.mark.parametrize('trainable', ['image', 'prompt', 'image+prompt'])
def test_loss_and_gradients(trainable):
    model = _model(trainable).train()
    data = _batch(model)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_contrastive'])
    losses['loss_contrastive'].backward()
    tower = model.image_tower
    assert (tower.visual.conv1.weight.grad is not None) == (trainable != 'prompt')
    assert (tower.mask_embedding.grad is not None) == (trainable != 'image')
    assert model.logit_scale.grad is not None
    assert all(p.grad is None for p in model.text_encoder.parameters())
    assert tower.use_mask_prompt == (trainable != 'image')


def test_predict_scores_regions_against_the_vocabulary():
    model = _model('prompt').eval()
    model.set_vocabulary(['star', 'disk', 'grass', 'sky'])
    data = _batch(model)
    out = model(**data, mode='predict')
    assert out[0].crop_scores.shape == (1, 4) and out[2].gt_crop_labels.tolist() == [2]
    embeddings = model(**data, mode='tensor')
    torch.testing.assert_close(embeddings.norm(dim=-1), torch.ones(3))
    state = model.clip_state_dict()
    assert state['visual.mask_embedding'].shape == (2, 16, 64) and 'logit_scale' in state
    assert 'token_embedding.weight' in state
