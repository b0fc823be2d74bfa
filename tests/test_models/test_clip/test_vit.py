"""Tests for ovseg/models/clip/vit.py."""
import open_clip
import pytest
import torch
from mmcv.cnn.bricks import DropPath
from mmengine.registry import DefaultScope
from open_clip.transformer import CustomResidualAttentionBlock, ResidualAttentionBlock

from ovseg.models.clip import CLIPViT
from ovseg.models.clip.vit import _block_with_drop_path, _pyramid_adapter
from ovseg.testing import TINY_VIT


@pytest.mark.parametrize('size', [(40, 56), (33, 47), (32, 32)])
def test_block_and_embedding_shapes_at_odd_sizes(size):
    backbone = CLIPViT(model_name=TINY_VIT, out_indices=(0, -1), with_embeddings=True)
    block0, block1, (global_emb, dense) = backbone(torch.rand(2, 3, *size))
    grid = (size[0] // 8, size[1] // 8)
    assert block0.shape == block1.shape == (2, 64, *grid)
    assert backbone.out_channels == [64, 64]
    assert global_emb.shape == (2, 32)
    assert dense.shape == (2, 32, *grid)


@pytest.mark.parametrize('size', [(40, 56), (64, 96)])
def test_pyramid_strides(size):
    backbone = CLIPViT(model_name=TINY_VIT, out_indices=(0, 0, 1, 1), pyramid=True,
                       with_embeddings=True).eval()
    *levels, (_, dense) = backbone(torch.rand(1, 3, *size))
    grid_h, grid_w = size[0] // 8, size[1] // 8
    assert [tuple(x.shape[-2:]) for x in levels] == [
        (grid_h * 2, grid_w * 2), (grid_h, grid_w), (grid_h // 2, grid_w // 2),
        (grid_h // 4, grid_w // 4)]
    assert all(x.shape[1] == 64 for x in levels)
    assert dense.shape[-2:] == (grid_h, grid_w)


def test_pyramid_needs_four_outputs():
    with pytest.raises(ValueError, match='four out_indices'):
        CLIPViT(model_name=TINY_VIT, out_indices=(0, 1), pyramid=True)


@pytest.mark.parametrize('image_size', [None, 48, (32, 48)])
def test_global_embedding_equals_encode_image(tiny_vit_checkpoint, image_size):
    backbone = CLIPViT(model_name=TINY_VIT, pretrained=tiny_vit_checkpoint,
                       image_size=image_size, with_embeddings=True)
    backbone.init_weights()
    backbone.eval()
    size = image_size or 32
    height, width = (size, size) if isinstance(size, int) else size
    reference = open_clip.create_model(TINY_VIT, force_image_size=size).eval()
    reference.visual.load_state_dict(backbone.visual.state_dict())
    image = torch.rand(2, 3, height, width)
    global_emb, dense = backbone(image)[-1]
    torch.testing.assert_close(global_emb, reference.encode_image(image), atol=1e-5, rtol=0)
    assert dense.shape == (2, 32, height // 8, width // 8)


def test_features_match_open_clip_intermediates_at_native_size(tiny_vit_clip):
    backbone = CLIPViT(model_name=TINY_VIT, out_indices=(0, 1)).eval()
    backbone.visual.load_state_dict(tiny_vit_clip.visual.state_dict())
    image = torch.rand(2, 3, 32, 32)
    reference = tiny_vit_clip.visual.forward_intermediates(
        image, indices=[0, 1], intermediates_only=True)['image_intermediates']
    for ours, theirs in zip(backbone(image), reference):
        torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_class_embedding_twice(tiny_vit_clip):
    plain = CLIPViT(model_name=TINY_VIT, with_embeddings=True).eval()
    twice = CLIPViT(model_name=TINY_VIT, with_embeddings=True, class_embedding_twice=True).eval()
    for backbone in (plain, twice):
        backbone.visual.load_state_dict(tiny_vit_clip.visual.state_dict())
    reference = open_clip.create_model(TINY_VIT).eval()
    reference.visual.load_state_dict(tiny_vit_clip.visual.state_dict())
    with torch.no_grad():
        reference.visual.positional_embedding[0] += reference.visual.class_embedding
    image = torch.rand(2, 3, 32, 32)
    global_twice = twice(image)[-1][0]
    torch.testing.assert_close(global_twice, reference.encode_image(image), atol=1e-5, rtol=0)
    assert not torch.allclose(global_twice, plain(image)[-1][0])


def test_freezing():
    backbone = CLIPViT(model_name=TINY_VIT, frozen_stages=1)
    visual = backbone.visual
    assert not visual.positional_embedding.requires_grad and not visual.conv1.weight.requires_grad
    assert not any(p.requires_grad for p in visual.transformer.resblocks[0].parameters())
    assert all(p.requires_grad for p in visual.transformer.resblocks[1].parameters())

    frozen = CLIPViT(model_name=TINY_VIT, out_indices=(0, 0, 1, 1), pyramid=True,
                     freeze_all=True, norm_eval=True).train()
    assert not any(p.requires_grad for p in frozen.visual.parameters())
    assert all(p.requires_grad for p in frozen.adapters.parameters())
    outs = frozen(torch.rand(2, 3, 64, 64))
    sum(x.mean() for x in outs).backward()
    assert frozen.adapters[0][1].weight.grad is not None


def test_adapter_layers_and_norm_eval():
    layers = [type(m).__name__ for m in _pyramid_adapter(8, 4.0)]  # patch 16 -> stride 4
    assert layers == ['GroupNorm', 'ConvTranspose2d', 'BatchNorm2d', 'GELU', 'ConvTranspose2d']
    assert [type(m).__name__ for m in _pyramid_adapter(8, 0.5)] == ['GroupNorm', 'MaxPool2d']
    backbone = CLIPViT(model_name=TINY_VIT, out_indices=(0, 0, 1, 1), pyramid=True, norm_eval=True)
    backbone.adapters[0] = _pyramid_adapter(64, 4.0)
    backbone.train()
    assert backbone.training and not backbone.adapters[0][2].training


def test_rejects_resnet_architectures():
    with pytest.raises(ValueError, match='CLIPResNet'):
        CLIPViT(model_name='ovseg-tiny-rn')


@pytest.mark.parametrize('scope', ['mmseg', 'mmdet'])
def test_builds_from_downstream_registries(scope):
    registry = {'mmseg': 'mmseg.registry', 'mmdet': 'mmdet.registry'}[scope]
    models = __import__(registry, fromlist=['MODELS']).MODELS
    with DefaultScope.overwrite_default_scope(scope):
        backbone = models.build(dict(type='CLIPViT', model_name=TINY_VIT,
                                     out_indices=(0, 0, 1, 1), pyramid=True))
    assert isinstance(backbone, CLIPViT)
    assert len(backbone(torch.rand(1, 3, 64, 64))) == 4


def _drop_path_pair(tiny_vit_clip, rate):
    """Rate-0 and rate-``rate`` backbones with the same weights."""
    kwargs = dict(model_name=TINY_VIT, out_indices=(0, 1), with_embeddings=True)
    plain = CLIPViT(**kwargs)
    dropped = CLIPViT(drop_path_rate=rate, **kwargs)
    for backbone in (plain, dropped):
        backbone.visual.load_state_dict(tiny_vit_clip.visual.state_dict())
    return plain, dropped


def _flatten(outs):
    *blocks, (global_emb, dense) = outs
    return [*blocks, global_emb, dense]


def test_drop_path_is_identity_in_eval_mode(tiny_vit_clip):
    plain, dropped = _drop_path_pair(tiny_vit_clip, 0.5)
    assert plain.state_dict().keys() == dropped.state_dict().keys()
    image = torch.rand(2, 3, 32, 32)
    for ours, theirs in zip(_flatten(dropped.eval()(image)), _flatten(plain.eval()(image))):
        assert torch.equal(ours, theirs)
    # Rate 0 in training mode is exactly the eval-mode (open_clip) output too.
    for ours, theirs in zip(_flatten(plain.train()(image)), _flatten(plain.eval()(image))):
        assert torch.equal(ours, theirs)


def test_drop_path_is_random_in_train_mode(tiny_vit_clip):
    _, dropped = _drop_path_pair(tiny_vit_clip, 0.5)
    dropped.train()
    image = torch.rand(8, 3, 32, 32)

    def run(seed):
        torch.manual_seed(seed)
        return _flatten(dropped(image))

    first, again, other = run(0), run(0), run(1)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    # Block 0 has rate 0; block 1 (rate 0.5) and the embeddings depend on the seed.
    assert torch.equal(first[0], other[0])
    assert not torch.equal(first[1], other[1]) and not torch.equal(first[2], other[2])


def test_drop_path_rates_increase_linearly():
    backbone = CLIPViT(model_name='synthworld-vit-s', drop_path_rate=0.5)
    rates = [module.drop_prob for module in backbone.drop_paths]
    assert len(rates) == len(backbone.visual.transformer.resblocks) == 6
    assert rates == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    tiny = CLIPViT(model_name=TINY_VIT, drop_path_rate=0.1)
    assert [module.drop_prob for module in tiny.drop_paths] == pytest.approx([0.0, 0.1])
    with pytest.raises(ValueError, match='drop_path_rate'):
        CLIPViT(model_name=TINY_VIT, drop_path_rate=1.0)



@pytest.mark.parametrize('grad', [True, False])
@pytest.mark.parametrize('block_type', [ResidualAttentionBlock, CustomResidualAttentionBlock])
def test_explicit_branches_bit_exact_with_open_clip_block(block_type, grad):
    torch.manual_seed(0)
    extra = dict(scale_attn=True) if block_type is CustomResidualAttentionBlock else {}
    block = block_type(64, 2, ls_init_value=0.5, **extra).eval()
    x = torch.randn(2, 5, 64)
    with torch.set_grad_enabled(grad):
        inactive = _block_with_drop_path(block, x, DropPath(0.5).eval())
        assert torch.equal(inactive, block(x))
        assert torch.equal(_block_with_drop_path(block, x, DropPath(0.0).train()), block(x))


def test_run_blocks_bit_exact_with_open_clip_transformer(tiny_vit_clip):
    _, dropped = _drop_path_pair(tiny_vit_clip, 0.5)
    tokens, _, _ = dropped._embed(torch.rand(2, 3, 32, 32))
    ours = dropped.eval()._run_blocks(tokens, [0, 1], stop_early=False)
    theirs = dropped.visual.transformer.forward_intermediates(tokens, indices=[0, 1])
    assert torch.equal(ours[0], theirs[0])
    assert all(torch.equal(a, b) for a, b in zip(ours[1], theirs[1]))
