import pytest
import torch

from ovseg.models.mask_adapted import MaskPromptViT, patch_keep_mask


def _tower(**kwargs):
    torch.manual_seed(0)
    kwargs.setdefault('prompt_depth', 2)  # the tiny ViT has 2 blocks
    return MaskPromptViT(model_name='ovseg-tiny-vit', **kwargs).eval()


def _crops(num=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    masks = torch.zeros(num, 32, 32)
    masks[0, 3:20, 5:30] = 1
    masks[1, 10:12, 10:12] = 1
    masks[2] = 1
    crops = torch.randn(num, 3, 32, 32, generator=g) * masks[:, None]  # mean fill: 0 outside
    return crops, masks


def test_plain_forward_equals_open_clip(tiny_vit_clip):
    tower = _tower()
    tower.visual.load_state_dict(tiny_vit_clip.visual.state_dict())
    crops, _ = _crops()
    with torch.no_grad():
        torch.testing.assert_close(tower.encode_masked(crops), tiny_vit_clip.encode_image(crops))


def test_zero_prompts_at_depth_one_equal_mean_fill():
    tower = _tower(prompt_depth=1, prompt_init='zeros')
    crops, masks = _crops()
    with torch.no_grad():
        with_prompts = tower.encode_masked(crops, masks)
        mean_fill = tower.encode_masked(crops)
    torch.testing.assert_close(with_prompts, mean_fill, rtol=0, atol=1e-6)
    # deeper zero prompts are not a no-op, and non-zero ones change the embedding
    tower.mask_embedding.data.normal_()
    with torch.no_grad():
        assert not torch.allclose(tower.encode_masked(crops, masks), mean_fill, atol=1e-4)
        # ... but only for crops that have blank patches
        torch.testing.assert_close(tower.encode_masked(crops[2:], masks[2:]), mean_fill[2:])
    tower.use_mask_prompt = False
    with torch.no_grad():
        torch.testing.assert_close(tower.encode_masked(crops, masks), mean_fill)


def test_prompts_replace_blank_patches_never_cls():
    tower = _tower(prompt_depth=2, prompt_init='normal')
    crops, masks = _crops()
    seen = {}
    tower.visual.ln_pre.register_forward_hook(lambda m, i, o: seen.setdefault('pre', i[0]))
    blocks = tower.visual.transformer.resblocks
    blocks[0].register_forward_hook(lambda m, i, o: seen.setdefault('out0', o))
    blocks[1].register_forward_pre_hook(lambda m, i: seen.setdefault('in1', i[0]))
    with torch.no_grad():
        tower.encode_masked(crops, masks)
    prompts = tower.mask_embedding
    blank = masks[1].reshape(4, 8, 4, 8).amax(dim=(1, 3)).flatten() == 0  # (16,) patches of crop 1
    assert blank.sum() == 15
    # d = 0: before cls / positions -> ln_pre input = prompt + pos at blank patches
    pos = tower.visual.positional_embedding
    torch.testing.assert_close(seen['pre'][1, 1:][blank], (prompts[0] + pos[1:])[blank])
    torch.testing.assert_close(seen['pre'][:, 0], (tower.visual.class_embedding + pos[0]).expand(3, -1))
    # d = 1: after block 1, patch tokens replaced (no position), the class token untouched
    torch.testing.assert_close(seen['in1'][1, 1:][blank], prompts[1][blank])
    torch.testing.assert_close(seen['in1'][:, 0], seen['out0'][:, 0])
    torch.testing.assert_close(seen['in1'][1, 1:][~blank], seen['out0'][1, 1:][~blank])
    torch.testing.assert_close(seen['in1'][2], seen['out0'][2])  # all foreground: untouched


def test_shared_prompt_and_other_crop_sizes():
    tower = _tower(prompt_depth=2, num_prompts=1, prompt_init='normal')
    assert tower.mask_embedding.shape == (2, 1, 64)
    crops = torch.randn(2, 3, 48, 40)
    masks = torch.zeros(2, 48, 40)
    masks[:, :10, :10] = 1
    with torch.no_grad():
        assert tower.encode_masked(crops * masks[:, None], masks).shape == (2, 32)
    grid_tower = _tower(prompt_depth=2, prompt_init='normal')
    with torch.no_grad():
        assert grid_tower.encode_masked(crops * masks[:, None], masks).shape == (2, 32)


def test_prompt_tuning_freezes_tower_only():
    tower = _tower(prompt_depth=2, freeze_all=True, prompt_init='normal').train()
    trainable = [n for n, p in tower.named_parameters() if p.requires_grad]
    assert trainable == ['mask_embedding']
    crops, masks = _crops()
    tower.encode_masked(crops, masks).sum().backward()
    assert tower.mask_embedding.grad.abs().sum() > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='prompt_depth'):
        _tower(prompt_depth=3)
    with pytest.raises(ValueError, match='num_prompts'):
        _tower(prompt_depth=1, num_prompts=4)
    with pytest.raises(ValueError, match='does not fit'):
        _tower(prompt_depth=1).load_prompts(torch.zeros(2, 16, 64))


def test_dense_value_path():
    tower = _tower(with_embeddings=True)
    x = torch.randn(2, 3, 48, 40)
    seen = {}
    last = tower.visual.transformer.resblocks[-1]
    last.register_forward_pre_hook(lambda m, i: seen.setdefault('in', i[0]))
    with torch.no_grad():
        tokens = tower.forward_dense(x)  # patch tokens, CLIPViT's dense output
        value = tower.forward_dense(x, value_path=True)
    assert tokens.shape == value.shape == (2, 32, 6, 5)
    c = seen['in'].shape[-1]
    v = torch.nn.functional.linear(last.ln_1(seen['in']), last.attn.in_proj_weight[2 * c:],
                                   last.attn.in_proj_bias[2 * c:])
    expected = tower.visual.ln_post(last.attn.out_proj(v)) @ tower.visual.proj  # (B, 1+L, D)
    torch.testing.assert_close(value, expected[:, 1:].transpose(1, 2).reshape(2, 32, 6, 5))
    assert not torch.allclose(value, tokens)


def test_patch_keep_mask_is_ceil_of_average():
    region = torch.zeros(1, 16, 16)
    region[0, 0, 0] = 1                   # one pixel keeps its whole patch
    region[0, 8:16, 8:16] = 1
    keep = patch_keep_mask(region, 8)
    assert keep.shape == (1, 4, 1)
    assert keep[0, :, 0].tolist() == [1, 0, 0, 1]
