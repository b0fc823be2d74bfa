"""tools/convert/denseclip.py on checkpoints in the original DenseCLIP key layout.

The "original" state dicts are built from key lists written from the original's module
definitions (``original_keys``), not from ovseg's module names.
"""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from denseclip_utils import VOCAB, build_seg, tiny_det_cfg, tiny_seg_cfg
from original_keys import (context_decoder_keys, prompt_keys, random_state_dict, resnet_keys,
                           text_encoder_keys, vit_keys)
from ovseg.models.denseclip.convert import convert_denseclip_state_dict, is_original_denseclip
from ovseg.testing import load_script

_HEADS = ('neck.', 'decode_head.', 'bbox_head.', 'rpn_head.', 'roi_head.')
# Tiny towers (ovseg/models/clip/model_configs): D=32, text width 64 x 2 layers, 13 positions.
_TEXT = dict(width=64, layers=2, embed_dim=32, context_length=13)
_P16 = dict(backbone=dict(type='CLIPViT', model_name='ovseg-tiny-vit-p16',
                          out_indices=(0, 1, 1, 1), pyramid=True, with_embeddings=True),
            score_concat_index=2)  # patch 16: dense tokens at stride 16


def _tool():
    return load_script('tools/convert/denseclip.py')


def _backbone_keys(arch: str, task: str) -> dict:
    if arch == 'rn':  # ovseg-tiny-rn: layers [1,1,1,1], width 8; 32 px, detection 256 px
        return resnet_keys(layers=(1, 1, 1, 1), width=8, output_dim=32,
                           input_resolution=32 if task == 'seg' else 256)
    patch = 16 if arch == 'vit-p16' else 8
    return vit_keys(width=64, layers=2, patch_size=patch, output_dim=32, input_resolution=32)


def _build(arch: str, task: str, seed: int = 0, **backbone):
    """ovseg model of ``task`` ('seg', 'retinanet', 'mask-rcnn') on a tiny tower."""
    torch.manual_seed(seed)
    if task == 'seg':
        base = 'vit' if arch.startswith('vit') else 'rn'
        overrides = dict(_P16) if arch == 'vit-p16' else {}
        if backbone:
            overrides['backbone'] = {**overrides.get('backbone', tiny_seg_cfg(base)['backbone']),
                                     **backbone}
        return build_seg(base, seed=seed, **overrides)
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    model = MODELS.build(tiny_det_cfg(task))
    model.set_vocabulary(VOCAB)
    return model


def _original_state_dict(arch: str, model, seed: int = 0, task: str = 'seg') -> dict:
    """The original's checkpoint of ``model``'s architecture: our key lists + mm heads."""
    shapes = {**_backbone_keys(arch, task), **text_encoder_keys(**_TEXT),
              **context_decoder_keys(visual_dim=32, width=16, layers=1),
              **prompt_keys(num_contexts=8, token_width=64, text_dim=32)}
    heads = {k: tuple(v.shape) for k, v in model.state_dict().items() if k.startswith(_HEADS)}
    state_dict = random_state_dict({**shapes, **heads}, seed=seed)
    state_dict['texts'] = torch.zeros(len(VOCAB), 5, dtype=torch.long)  # original's tokens
    return state_dict


@pytest.mark.parametrize('arch,task', [('rn', 'seg'), ('vit', 'seg'), ('vit-p16', 'seg'),
                                       ('rn', 'retinanet'), ('rn', 'mask-rcnn')])
def test_original_keys_load_strictly(arch, task):
    model = _build(arch, task)
    original = _original_state_dict(arch, model, task=task)
    assert is_original_denseclip(original)
    converted, dropped = convert_denseclip_state_dict(original)
    assert dropped == ['texts']
    own = model.state_dict()
    assert sorted(set(own) - set(converted)) == [] and sorted(set(converted) - set(own)) == []
    model.load_state_dict(converted, strict=True)
    if arch == 'vit-p16':  # the original's bare GroupNorm fpn3 is our adapters.2.0
        torch.testing.assert_close(model.backbone.adapters[2][0].weight,
                                   original['backbone.fpn3.weight'])
    if arch == 'vit':  # at patch 8 the bare GroupNorm is fpn2
        torch.testing.assert_close(model.backbone.adapters[1][0].weight,
                                   original['backbone.fpn2.weight'])


@pytest.mark.parametrize('arch', ['vit', 'vit-p16'])
def test_converted_vit_needs_no_class_embedding_flag(arch):
    """Default config (class_embedding_twice=False) reproduces the original's forward."""
    model = _build(arch, 'seg').eval()
    original = _original_state_dict(arch, model, seed=3)
    converted, _ = convert_denseclip_state_dict(original)
    model.load_state_dict(converted, strict=True)
    assert not model.backbone.class_embedding_twice
    # The original's forward: class embedding added twice, on the unconverted embedding.
    reference = _build(arch, 'seg', class_embedding_twice=True).eval()
    unfolded = dict(converted)
    unfolded['backbone.visual.positional_embedding'] = original['backbone.positional_embedding']
    reference.load_state_dict(unfolded, strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x, mode='tensor'), reference(x, mode='tensor'),
                                   rtol=0, atol=0)


@pytest.mark.parametrize('arch', ['rn', 'vit'])
def test_tool_round_trip(arch, tmp_path):
    extra = dict(class_embedding_twice=False) if arch == 'vit' else {}
    model = _build(arch, 'seg')
    original = _original_state_dict(arch, model, seed=1)
    src = tmp_path / 'denseclip_original.pth'
    torch.save(dict(meta=dict(CLASSES=VOCAB, mmcv_version='1.3.17'), state_dict=original,
                    optimizer=dict(state={}, param_groups=[])), src)
    cfg = tiny_seg_cfg('vit' if arch == 'vit' else 'rn', class_names=list(VOCAB))
    if extra:
        cfg['backbone'] = {**cfg['backbone'], **extra}
    cfg_path = tmp_path / 'tiny.py'
    Config(dict(model=cfg, default_scope='mmseg')).dump(str(cfg_path))
    dst = tmp_path / 'converted.pth'
    _tool().main([str(src), str(dst), '--config', str(cfg_path)])

    fresh = _build(arch, 'seg', seed=2).eval()
    load_checkpoint(fresh, str(dst), map_location='cpu', strict=True)
    expected, _ = convert_denseclip_state_dict(original)
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, expected[key].to(value.dtype), msg=key)
    meta = torch.load(dst, weights_only=True)['meta']
    assert meta['dataset_meta']['classes'] == VOCAB and meta['denseclip_vit'] == (arch == 'vit')


def test_tool_refuses_class_embedding_twice_for_converted_vit(tmp_path):
    model = _build('vit', 'seg')
    src = tmp_path / 'original.pth'
    torch.save(dict(state_dict=_original_state_dict('vit', model)), src)
    cfg = tiny_seg_cfg('vit', class_names=list(VOCAB))
    cfg['backbone'] = {**cfg['backbone'], 'class_embedding_twice': True}
    cfg_path = tmp_path / 'twice.py'
    Config(dict(model=cfg, default_scope='mmseg')).dump(str(cfg_path))
    with pytest.raises(SystemExit, match='class_embedding_twice=True'):
        _tool().main([str(src), str(tmp_path / 'out.pth'), '--config', str(cfg_path)])


def test_rejects_other_layouts(tmp_path):
    ours = build_seg('rn').state_dict()
    with pytest.raises(ValueError, match='not an original DenseCLIP'):
        convert_denseclip_state_dict(ours)
    src = tmp_path / 'ours.pth'
    torch.save(dict(state_dict=ours), src)
    with pytest.raises(SystemExit, match='not an original DenseCLIP'):
        _tool().main([str(src), str(tmp_path / 'out.pth')])


def test_config_text_in_the_source_never_runs(tmp_path):
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    src = tmp_path / 'denseclip_original.pth'
    original = _original_state_dict('rn', _build('rn', 'seg'))
    torch.save(add_config_text(dict(meta=dict(CLASSES=VOCAB), state_dict=original), str(marker)),
               src)
    _tool().main([str(src), str(tmp_path / 'converted.pth')])
    meta = torch.load(tmp_path / 'converted.pth', weights_only=True)['meta']
    assert 'config' not in meta and 'cfg' not in meta and not marker.exists()
