"""tools/convert/denseclip.py on checkpoints in the original DenseCLIP key layout."""
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.models.denseclip.convert import convert_denseclip_state_dict, is_original_denseclip
from ovseg.testing import load_script


def _tool():
    return load_script('tools/convert/denseclip.py')


def _to_original_layout(state_dict):
    """Our keys -> the original's (backbone.conv1, backbone.fpn1, no logit_scale, + texts)."""
    out = {}
    for key, value in state_dict.items():
        if key == 'text_encoder.logit_scale':
            continue
        key = re.sub(r'^backbone\.adapters\.(\d)\.',
                     lambda m: f'backbone.fpn{int(m.group(1)) + 1}.', key)
        out[key.replace('backbone.visual.', 'backbone.')] = value
    out['texts'] = torch.zeros(len(VOCAB), 5, dtype=torch.long)  # original kept tokens
    return out


@pytest.mark.parametrize('arch', ['rn', 'vit'])
def test_round_trip(arch, tmp_path):
    backbone = {}
    if arch == 'vit':  # the original's checkpoints come with its class-embedding bug
        backbone = dict(type='CLIPViT', model_name='ovseg-tiny-vit', out_indices=(0, 1, 1, 1),
                        pyramid=True, with_embeddings=True, class_embedding_twice=True)
    extra = {'backbone': backbone} if backbone else {}
    cfg = tiny_seg_cfg(arch, class_names=list(VOCAB), **extra)
    original = build_seg(arch, seed=1, **extra).eval()
    original.backbone.visual.conv1.weight.data.normal_()  # not the seed-0 init
    src = tmp_path / 'denseclip_original.pth'
    old = _to_original_layout(original.state_dict())
    assert is_original_denseclip(old) and 'backbone.conv1.weight' in old
    torch.save(dict(meta=dict(CLASSES=VOCAB, mmcv_version='1.3.17'), state_dict=old,
                    optimizer=dict(state={}, param_groups=[])), src)
    cfg_path = tmp_path / 'tiny.py'
    Config(dict(model=cfg, default_scope='mmseg')).dump(str(cfg_path))
    dst = tmp_path / 'converted.pth'
    _tool().main([str(src), str(dst), '--config', str(cfg_path)])

    fresh = build_seg(arch, seed=2, **extra).eval()
    load_checkpoint(fresh, str(dst), map_location='cpu', strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(fresh(x, mode='tensor'), original(x, mode='tensor'))
    meta = torch.load(dst, weights_only=True)['meta']
    assert meta['dataset_meta']['classes'] == VOCAB and meta['denseclip_vit'] == (arch == 'vit')


def test_rejects_other_layouts(tmp_path):
    ours = build_seg('rn').state_dict()
    with pytest.raises(ValueError, match='not an original DenseCLIP'):
        convert_denseclip_state_dict(ours)
    src = tmp_path / 'ours.pth'
    torch.save(dict(state_dict=ours), src)
    with pytest.raises(SystemExit, match='not an original DenseCLIP'):
        _tool().main([str(src), str(tmp_path / 'out.pth')])


def test_detection_keys_are_kept():
    sd = {'contexts': torch.zeros(1), 'gamma': torch.zeros(1), 'backbone.layer1.0.conv1.weight':
          torch.zeros(1), 'bbox_head.retina_cls.weight': torch.zeros(1),
          'roi_head.bbox_head.fc_cls.weight': torch.zeros(1), 'rpn_head.rpn_conv.weight':
          torch.zeros(1), 'text_encoder.token_embedding.weight': torch.zeros(1)}
    out, dropped = convert_denseclip_state_dict(sd)
    assert dropped == [] and 'backbone.visual.layer1.0.conv1.weight' in out
    assert {'bbox_head.retina_cls.weight', 'roi_head.bbox_head.fc_cls.weight',
            'rpn_head.rpn_conv.weight', 'text_encoder.logit_scale'} <= set(out)


def test_config_text_in_the_source_never_runs(tmp_path):
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    src = tmp_path / 'denseclip_original.pth'
    torch.save(add_config_text(dict(meta=dict(CLASSES=VOCAB), state_dict=_to_original_layout(
        build_seg('rn').state_dict())), str(marker)), src)
    _tool().main([str(src), str(tmp_path / 'converted.pth')])
    meta = torch.load(tmp_path / 'converted.pth', weights_only=True)['meta']
    assert 'config' not in meta and 'cfg' not in meta and not marker.exists()
