"""tools/convert/synthclip_from_mmengine.py on checkpoints whose stored config text would write a
marker file if executed (it must only be parsed)."""
import sys

import torch

from ovseg.testing import TINY_VIT, add_config_text, build_tiny_clip, load_script


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
