import os.path as osp
import subprocess
import sys

import open_clip
import pytest
import torch

from ovseg.models.clip import CLIPTextEncoder
from ovseg.models.mask_adapted import MaskPromptViT, infer_clip_model_name
from ovseg.testing import build_tiny_clip, load_script

PREFIX = 'clip_adapter.clip_model.'
REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))


def _ovseg_layout(clip, prompts):
    """A detectron2-style OVSeg checkpoint built from a tiny open_clip model."""
    model = {PREFIX + k: v.clone() for k, v in clip.state_dict().items()}
    model[PREFIX + 'visual.mask_embedding'] = prompts
    model[PREFIX + 'input_resolution'] = torch.tensor(32)
    model['sem_seg_head.predictor.query_embed.weight'] = torch.randn(100, 256)
    model['clip_adapter.non_object_embedding'] = torch.randn(1, 32)
    return dict(model=model, iteration=1000)


@pytest.mark.slow
def test_convert_round_trip(tmp_path):
    clip = build_tiny_clip(seed=3)
    prompts = torch.randn(2, 16, 64)
    src = tmp_path / 'ovseg.pth'
    torch.save(_ovseg_layout(clip, prompts), src)
    dst = tmp_path / 'converted.pt'
    out = subprocess.run([sys.executable, osp.join(REPO, 'tools', 'convert', 'ovseg2openclip.py'),
                          str(src), str(dst)], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'ovseg-tiny-vit' in out.stdout
    stored = torch.load(dst, weights_only=True)
    assert stored['model_name'] == 'ovseg-tiny-vit'
    assert 'sem_seg_head.predictor.query_embed.weight' not in stored['state_dict']

    tower = MaskPromptViT(model_name='ovseg-tiny-vit', pretrained=str(dst), prompt_depth=2)
    tower.init_weights()
    text = CLIPTextEncoder(model_name='ovseg-tiny-vit', pretrained=str(dst))
    text.init_weights()
    torch.testing.assert_close(tower.mask_embedding.data, prompts)
    crops = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(tower.encode_masked(crops), clip.encode_image(crops))
        tokens = text.tokenize(['a star'])
        torch.testing.assert_close(text(tokens), clip.encode_text(tokens))


def test_tower_reads_ovseg_layout_and_broadcast_prompts(tmp_path):
    clip = build_tiny_clip(seed=4)
    state = _ovseg_layout(clip, torch.randn(1, 1, 64))['model']
    path = tmp_path / 'plain.pth'
    torch.save(state, path)  # a plain state dict in OVSeg's layout
    tower = MaskPromptViT(model_name='ovseg-tiny-vit', pretrained=str(path), prompt_depth=1)
    tower.init_weights()
    expected = state[PREFIX + 'visual.mask_embedding'].expand(1, 16, 64)
    torch.testing.assert_close(tower.mask_embedding.data, expected)
    torch.testing.assert_close(tower.visual.conv1.weight, clip.visual.conv1.weight)


def test_tower_reads_the_released_detectron2_file_directly(tmp_path):
    """OVSeg's release as it is ({'model': ..., 'iteration': ...}), no conversion step."""
    clip = build_tiny_clip(seed=5)
    prompts = torch.randn(2, 16, 64)
    path = tmp_path / 'ovseg_released.pth'
    torch.save(_ovseg_layout(clip, prompts), path)
    tower = MaskPromptViT(model_name='ovseg-tiny-vit', pretrained=str(path), prompt_depth=2)
    tower.init_weights()
    torch.testing.assert_close(tower.mask_embedding.data, prompts)
    crops = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(tower.encode_masked(crops), clip.encode_image(crops))


def test_infer_model_name_prefers_quickgelu():
    assert infer_clip_model_name(build_tiny_clip().state_dict()) == 'ovseg-tiny-vit'
    with torch.device('meta'):  # shapes only
        full = open_clip.model.CLIP(**open_clip.get_model_config('ViT-B-16')).state_dict()
    sd = {k: torch.empty(v.shape) for k, v in full.items()
          if k.startswith(('visual.conv1', 'visual.positional', 'visual.proj',
                           'token_embedding', 'visual.transformer.resblocks.11.ln_1',
                           'transformer.resblocks.11.ln_1'))}
    assert infer_clip_model_name(sd) == 'ViT-B-16-quickgelu'


def test_config_text_in_the_checkpoint_never_runs(tmp_path, monkeypatch):
    from ovseg.compat import read_state_dict
    from ovseg.models.mask_adapted.checkpoint import convert_ovseg_checkpoint
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    src = tmp_path / 'ovseg.pth'
    torch.save(add_config_text(_ovseg_layout(build_tiny_clip(seed=3), torch.randn(2, 16, 64)),
                               str(marker)), src)
    assert PREFIX + 'visual.conv1.weight' in read_state_dict(str(src))
    convert_ovseg_checkpoint(str(src), str(tmp_path / 'converted.pt'))
    tool = load_script('tools/convert/ovseg2openclip.py')
    monkeypatch.setattr(sys, 'argv', ['ovseg2openclip.py', str(src), str(tmp_path / 'tool.pt')])
    tool.main()
    tower = MaskPromptViT(model_name='ovseg-tiny-vit', pretrained=str(tmp_path / 'converted.pt'),
                          prompt_depth=2)
    tower.init_weights()
    assert not marker.exists()
