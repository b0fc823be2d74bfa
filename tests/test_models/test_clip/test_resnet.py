"""Tests for ovseg/models/clip/resnet.py."""
import open_clip
import pytest
import torch
from mmengine.registry import DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

from ovseg.models.clip import CLIPResNet
from ovseg.testing import TINY_RN


@pytest.mark.parametrize('size', [(40, 56), (33, 47), (64, 96)])
def test_output_shapes_at_odd_sizes(size):
    backbone = CLIPResNet(model_name=TINY_RN, with_embeddings=True).eval()
    image = torch.rand(2, 3, *size)
    *levels, (global_emb, dense) = backbone(image)
    reference = backbone.visual.forward_intermediates(
        image, indices=[1, 2, 3, 4], intermediates_only=True)['image_intermediates']
    assert [x.shape for x in levels] == [x.shape for x in reference]
    assert [x.shape[1] for x in levels] == backbone.out_channels == [32, 64, 128, 256]
    assert global_emb.shape == (2, 32)
    assert dense.shape == (2, 32, *levels[-1].shape[-2:])


def test_known_strides():
    *levels, (_, dense) = CLIPResNet(model_name=TINY_RN, with_embeddings=True)(torch.rand(1, 3, 128, 192))
    assert [tuple(x.shape[-2:]) for x in levels] == [(32, 48), (16, 24), (8, 12), (4, 6)]
    assert dense.shape[-2:] == (4, 6)


def test_out_indices_subset():
    outs = CLIPResNet(model_name=TINY_RN, out_indices=(1, 3))(torch.rand(1, 3, 64, 64))
    assert [x.shape[1] for x in outs] == [64, 256]


@pytest.mark.parametrize('image_size', [None, 64, 96])
def test_global_embedding_equals_encode_image(tiny_rn_checkpoint, image_size):
    backbone = CLIPResNet(model_name=TINY_RN, pretrained=tiny_rn_checkpoint,
                          image_size=image_size, with_embeddings=True)
    backbone.init_weights()
    backbone.eval()
    size = image_size or 32
    reference = open_clip.create_model(TINY_RN, force_image_size=size).eval()
    reference.visual.load_state_dict(backbone.visual.state_dict())
    image = torch.rand(2, 3, size, size)
    global_emb, dense = backbone(image)[-1]
    torch.testing.assert_close(global_emb, reference.encode_image(image), atol=1e-5, rtol=0)
    assert dense.shape == (2, 32, size // 32, size // 32)


def test_dense_embeddings_follow_local_content(tiny_rn_checkpoint):
    backbone = CLIPResNet(model_name=TINY_RN, pretrained=tiny_rn_checkpoint, image_size=64,
                          with_embeddings=True)
    backbone.init_weights()
    backbone.eval()
    image = torch.rand(1, 3, 64, 128)
    _, dense = backbone(image)[-1]
    swapped = torch.cat([image[..., 64:], image[..., :64]], dim=-1)
    _, dense_swapped = backbone(swapped)[-1]
    assert dense.shape == (1, 32, 2, 4)
    assert not torch.allclose(dense, dense_swapped)


def test_freezing_and_norm_eval():
    backbone = CLIPResNet(model_name=TINY_RN, frozen_stages=2, norm_eval=True).train()
    visual = backbone.visual
    assert not any(p.requires_grad for m in (visual.conv1, visual.layer1, visual.layer2)
                   for p in m.parameters())
    assert all(p.requires_grad for p in visual.layer3.parameters())
    assert all(not m.training for m in backbone.modules() if isinstance(m, _BatchNorm))

    backbone = CLIPResNet(model_name=TINY_RN, frozen_stages=1).train()
    assert not backbone.visual.layer1[0].bn1.training and backbone.visual.layer2[0].bn1.training

    frozen = CLIPResNet(model_name=TINY_RN, freeze_all=True, with_embeddings=True)
    assert not any(p.requires_grad for p in frozen.parameters())
    with pytest.raises(ValueError, match='frozen_stages'):
        CLIPResNet(model_name=TINY_RN, frozen_stages=5)


def test_gradients_reach_trainable_stages():
    backbone = CLIPResNet(model_name=TINY_RN, frozen_stages=0, with_embeddings=True).train()
    *levels, (global_emb, dense) = backbone(torch.rand(2, 3, 64, 64))
    (sum(x.mean() for x in levels) + global_emb.mean() + dense.mean()).backward()
    assert backbone.visual.conv1.weight.grad is None
    assert backbone.visual.attnpool.q_proj.weight.grad is not None


def test_rejects_vit_architectures():
    with pytest.raises(ValueError, match='CLIPViT'):
        CLIPResNet(model_name='ovseg-tiny-vit')


@pytest.mark.parametrize('scope', ['mmseg', 'mmdet'])
def test_builds_from_downstream_registries(scope):
    registry = {'mmseg': 'mmseg.registry', 'mmdet': 'mmdet.registry'}[scope]
    models = __import__(registry, fromlist=['MODELS']).MODELS
    with DefaultScope.overwrite_default_scope(scope):
        backbone = models.build(dict(type='CLIPResNet', model_name=TINY_RN, with_embeddings=True))
    assert isinstance(backbone, CLIPResNet)
    assert len(backbone(torch.rand(1, 3, 64, 64))) == 5


def _hand_made_pos_embed(side: int, channels: int) -> torch.Tensor:
    """(1 + side*side, C): row r, column c of the grid holds 10*r + c (cls row: -1)."""
    rows = torch.arange(side).repeat_interleave(side).float()
    cols = torch.arange(side).repeat(side).float()
    grid = (10 * rows + cols)[:, None].expand(-1, channels) / 100
    return torch.cat([torch.full((1, channels), -0.01), grid])


def test_crop_mode_takes_top_left_block_of_the_positional_grid():
    """DenseCLIP detection: a 2x3 C5 grid uses rows 0-1, columns 0-2 of the 4x4 grid."""
    torch.manual_seed(0)
    crop = CLIPResNet(model_name=TINY_RN, image_size=128, with_embeddings=True,
                      pos_embed_mode='crop').eval()
    pool = crop.visual.attnpool
    with torch.no_grad():
        pool.positional_embedding.copy_(_hand_made_pos_embed(4, pool.positional_embedding.shape[1]))
    pos = crop._fit_pos_embed(pool.positional_embedding, 2, 3)
    expected = torch.tensor([-1, 0, 1, 2, 10, 11, 12]) / 100
    torch.testing.assert_close(pos[:, 0], expected)
    # Forward: equal to a model whose own grid is exactly that block (no resizing at all).
    block = CLIPResNet(model_name=TINY_RN, image_size=64, with_embeddings=True).eval()
    state = crop.state_dict()
    state['visual.attnpool.positional_embedding'] = torch.cat(
        [pool.positional_embedding[:1], pool.positional_embedding[1:].reshape(4, 4, -1)[:2, :2]
         .reshape(4, -1)])
    block.load_state_dict(state)
    image = torch.rand(2, 3, 64, 64)  # C5 2x2
    with torch.no_grad():
        (g_crop, d_crop), (g_block, d_block) = crop(image)[-1], block(image)[-1]
        interpolated = CLIPResNet(model_name=TINY_RN, image_size=128, with_embeddings=True)
        interpolated.load_state_dict(crop.state_dict())
        _, d_interp = interpolated.eval()(image)[-1]
    torch.testing.assert_close(d_crop, d_block)
    torch.testing.assert_close(g_crop, g_block)
    assert not torch.allclose(d_crop, d_interp)  # the default (interpolation) differs


def test_crop_mode_rejects_grids_larger_than_the_positional_grid():
    backbone = CLIPResNet(model_name=TINY_RN, with_embeddings=True, pos_embed_mode='crop')
    with pytest.raises(ValueError, match="pos_embed_mode='crop' needs a C5 grid within the 1x1"):
        backbone(torch.rand(1, 3, 64, 64))
    with pytest.raises(ValueError, match='pos_embed_mode must be one of'):
        CLIPResNet(model_name=TINY_RN, pos_embed_mode='nearest')


def test_value_dense_mode_is_maskclip(tiny_rn_checkpoint):
    kwargs = dict(model_name=TINY_RN, pretrained=tiny_rn_checkpoint, image_size=64,
                  with_embeddings=True)
    attention, value = CLIPResNet(**kwargs), CLIPResNet(dense_mode='value', **kwargs)
    for backbone in (attention, value):
        backbone.init_weights()
        backbone.eval()
    image = torch.rand(2, 3, 64, 128)
    with torch.no_grad():
        *levels, (global_att, dense_att) = attention(image)
        global_val, dense_val = value(image)[-1]
        pool = value.visual.attnpool
        c5 = levels[-1]  # (B, C, 2, 4)
        # per position: c_proj(v_proj(x)), a function of that position's C5 feature alone
        expected = torch.einsum('dc,bchw->bdhw', pool.c_proj.weight @ pool.v_proj.weight, c5)
        expected = expected + (pool.c_proj.weight @ pool.v_proj.bias
                               + pool.c_proj.bias)[None, :, None, None]
    torch.testing.assert_close(global_val, global_att)
    torch.testing.assert_close(dense_val, expected, atol=1e-5, rtol=1e-4)
    assert dense_val.shape == dense_att.shape and not torch.allclose(dense_val, dense_att)
    with pytest.raises(ValueError, match='dense_mode'):
        CLIPResNet(model_name=TINY_RN, dense_mode='mean')
