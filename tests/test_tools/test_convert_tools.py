"""tools/convert/synthclip_from_mmengine.py and pretrained_to_checkpoint.py on checkpoints whose
stored config text would write a marker file if executed (it must only be parsed)."""
import os.path as osp
import runpy
import sys

import pytest
import torch

from ovseg.testing import TINY_VIT, add_config_text, build_tiny_clip, load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EVAL = osp.join(REPO, 'configs', 'mask_adapted', 'ovseg_gt-masks_synthclip-vit-s_synthworld-160.py')


def _contrastive_clip_checkpoint(path, marker):
    """An mmengine checkpoint of ContrastiveCLIP (tiny ViT) whose meta.cfg is hostile code."""
    state = {}
    for key, value in build_tiny_clip(TINY_VIT).state_dict().items():
        state[key if key.startswith('visual.') else 'classifier.text_encoder.' + key] = value
    checkpoint = add_config_text(dict(meta=dict(iter=2), state_dict=state), marker, extra=(
        "model = dict(type='ContrastiveCLIP', model_name='ovseg-tiny-vit', pretrained=None)\n"))
    torch.save(checkpoint, path)


def test_synthclip_model_name_is_read_without_executing(tmp_path, monkeypatch, capsys):
    marker = tmp_path / 'ran'
    src, dst = tmp_path / 'iter_2.pth', tmp_path / 'clip.pt'
    _contrastive_clip_checkpoint(src, str(marker))
    monkeypatch.setattr(sys, 'argv', ['synthclip_from_mmengine.py', str(src), str(dst)])
    load_script('tools/convert/synthclip_from_mmengine.py').main()
    assert f'({TINY_VIT}, ' in capsys.readouterr().out  # model_name from the parsed meta.cfg
    assert not marker.exists()
    from ovseg.models.clip import create_clip
    create_clip(TINY_VIT, pretrained=str(dst))  # the output is a loadable CLIP


def test_model_name_reader_ignores_what_it_cannot_parse():
    tool = load_script('tools/convert/synthclip_from_mmengine.py')
    assert tool._model_name_from_meta({'meta': {'cfg': 'model = build()\n'}}) is None
    assert tool._model_name_from_meta({'meta': {'cfg': 'not python ('}}) is None
    assert tool._model_name_from_meta(
        {'meta': {'cfg': "model = {'model_name': 'x'}\nmodel = dict(model_name='y')"}}) == 'y'


@pytest.mark.slow
def test_pretrained_to_checkpoint_part_with_config_text(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    part = tmp_path / 'part.pth'
    torch.save(add_config_text(dict(state_dict={
        'mask_classifier.clip.mask_embedding': torch.ones(2, 16, 64)}), str(marker)), part)
    out = tmp_path / 'model.pth'
    monkeypatch.setattr(sys, 'argv', [
        'pretrained_to_checkpoint.py', EVAL, str(out), '--checkpoint', str(part),
        '--cfg-options', 'model.mask_classifier.clip.model_name=ovseg-tiny-vit',
        'model.mask_classifier.clip.pretrained=None', 'model.mask_classifier.clip.prompt_depth=2',
        'model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
        'model.text_classifier.text_encoder.pretrained=None'])
    runpy.run_path(osp.join(REPO, 'tools', 'convert', 'pretrained_to_checkpoint.py'),
                   run_name='__main__')
    state = torch.load(out, weights_only=True)['state_dict']
    assert torch.equal(state['mask_classifier.clip.mask_embedding'], torch.ones(2, 16, 64))
    assert not marker.exists()
