"""Tests for ovseg/models/clip/loading.py and torchscript.py."""
import os
import pickle
import urllib.error
import warnings
import zipfile

import open_clip
import pytest
import torch

from ovseg.compat import ALLOW_UNSAFE_ENV, CheckpointMismatchError
from ovseg.models.clip import (CLIPViT, create_clip, list_clip_models, load_clip_weights,
                               read_clip_checkpoint, resize_pos_embed, resize_text_pos_embed)
from ovseg.testing import (TINY_RN, TINY_VIT, build_tiny_clip, save_openai_torchscript,
                           save_state_dict)


@pytest.fixture
def refuse_unsafe(monkeypatch):
    """Make sure the user's opt-in to unsafe loading is off for this test."""
    monkeypatch.delenv(ALLOW_UNSAFE_ENV, raising=False)


class _RunsCommand:
    """Unpickling this would run a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}',)


def _save(model, path, layout):
    if layout == 'torchscript':
        return save_openai_torchscript(model, path)
    return save_state_dict(model, path, key_prefix='module.' if layout == 'ddp' else '',
                           mmengine_checkpoint=layout == 'mmengine')


@pytest.mark.parametrize('layout', ['plain', 'ddp', 'mmengine', 'torchscript'])
def test_read_and_create_from_each_layout(tmp_path, tiny_vit_clip, layout):
    path = _save(tiny_vit_clip, str(tmp_path / 'weights.pt'), layout)
    state_dict = read_clip_checkpoint(path)
    expected = tiny_vit_clip.state_dict()
    assert set(state_dict) == set(expected)
    assert all(torch.equal(state_dict[k], expected[k]) for k in expected)

    model = create_clip(TINY_VIT, path)
    image, text = torch.rand(2, 3, 32, 32), open_clip.tokenize(['a cat', 'a dog'])
    assert torch.equal(model.encode_image(image), tiny_vit_clip.encode_image(image))
    assert torch.equal(model.encode_text(text), tiny_vit_clip.encode_text(text))


def test_torchscript_float16_archive(tmp_path, tiny_rn_clip):
    path = save_openai_torchscript(tiny_rn_clip, str(tmp_path / 'RN.pt'), dtype=torch.float16)
    state_dict = read_clip_checkpoint(path)
    assert state_dict['visual.conv1.weight'].dtype == torch.float16
    assert 'input_resolution' not in state_dict
    with pytest.warns(UserWarning, match='QuickGELU'):  # tiny RN uses nn.GELU
        model = create_clip(TINY_RN, path)
    torch.testing.assert_close(model.visual.conv1.weight,
                               tiny_rn_clip.visual.conv1.weight.half().float())


def test_openai_archive_with_quickgelu_arch_does_not_warn(tmp_path, tiny_vit_clip):
    path = save_openai_torchscript(tiny_vit_clip, str(tmp_path / 'ViT.pt'))
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)
        create_clip(TINY_VIT, path)


def test_mismatched_keys_are_listed_by_name(tmp_path, tiny_vit_clip):
    state_dict = tiny_vit_clip.state_dict()
    del state_dict['ln_final.bias']
    state_dict['visual.extra.weight'] = torch.zeros(1)
    state_dict['text_projection'] = torch.zeros(3, 3)
    path = save_state_dict(state_dict, str(tmp_path / 'bad.pth'))
    with pytest.raises(CheckpointMismatchError) as err:
        create_clip(TINY_VIT, path)
    message = str(err.value)
    assert message.startswith(f'{path} does not fit CLIP: ')
    assert '1 missing key(s): ln_final.bias' in message
    assert '1 unexpected key(s): visual.extra.weight' in message
    assert 'text_projection (checkpoint [3, 3] vs model [64, 32])' in message
    assert err.value.missing == ['ln_final.bias']


def test_mismatch_ends_an_entry_point_with_one_line(tmp_path, tiny_vit_clip, capsys):
    """A CLIP file of another architecture is bad input: one stderr line, exit 1, no traceback."""
    from ovseg.apis.cli import run_cli
    path = save_state_dict(build_tiny_clip(TINY_RN).state_dict(), str(tmp_path / 'rn.pth'))
    with pytest.raises(SystemExit) as exit_info:
        run_cli(lambda: create_clip(TINY_VIT, path))
    assert exit_info.value.code == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'error: {path} does not fit CLIP: ')


def test_unsafe_torch_save_is_refused(tmp_path, refuse_unsafe):
    marker = tmp_path / 'executed'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.ones(1)}, 'payload': _RunsCommand(marker)}, path)
    with pytest.raises(RuntimeError, match='Refused.*evil.pth.*code execution'):
        read_clip_checkpoint(path)
    assert not marker.exists()


def test_unsafe_raw_pickle_is_refused(tmp_path, refuse_unsafe):
    marker = tmp_path / 'executed'
    path = str(tmp_path / 'evil.pkl')
    with open(path, 'wb') as file:
        pickle.dump(_RunsCommand(marker), file, protocol=2)
    with pytest.raises(RuntimeError, match='Refused'):
        read_clip_checkpoint(path)
    assert not marker.exists()


def test_unsafe_torchscript_archive_is_refused(tmp_path, tiny_vit_clip):
    marker = tmp_path / 'executed'
    good = save_openai_torchscript(tiny_vit_clip, str(tmp_path / 'good.pt'))
    path = str(tmp_path / 'evil.pt')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, 'w') as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith('/data.pkl'):
                data = pickle.dumps(_RunsCommand(marker), protocol=2)
            dst.writestr(item, data)
    with pytest.raises(RuntimeError, match='Refused to load TorchScript archive .*evil.pt.*code execution'):
        read_clip_checkpoint(path)
    assert not marker.exists()


def test_unknown_tag_lists_valid_tags():
    with pytest.raises(ValueError, match="Unknown pretrained tag 'no-such-tag'.*'openai'"):
        create_clip('RN50-quickgelu', 'no-such-tag')
    with pytest.raises(ValueError, match='none'):
        create_clip(TINY_VIT, 'laion2b')


def test_missing_file_and_unknown_architecture(tmp_path):
    missing = str(tmp_path / 'nowhere.pt')
    with pytest.raises(FileNotFoundError, match='nowhere.pt'):
        create_clip(TINY_VIT, missing)
    with pytest.raises(ValueError, match='Unknown CLIP architecture'):
        create_clip('no-such-arch')


def test_offline_tag_download_asks_for_a_local_file(monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError('no network')

    monkeypatch.setattr(open_clip.pretrained, 'download_pretrained', offline)
    with pytest.raises(RuntimeError, match=r"download .* elsewhere and pass pretrained='/path/to/file.pt'"):
        create_clip('RN50-quickgelu', 'openai')
    with pytest.warns(UserWarning, match="Use 'RN50-quickgelu'"), pytest.raises(RuntimeError):
        create_clip('RN50', 'openai')


def test_resize_pos_embed():
    pos = torch.randn(1 + 4 * 4, 8)
    assert resize_pos_embed(pos, (4, 4), (4, 4)) is pos
    resized = resize_pos_embed(pos, (4, 4), (3, 7))
    assert resized.shape == (1 + 3 * 7, 8)
    assert torch.equal(resized[0], pos[0])
    constant = torch.ones(1 + 2 * 2, 3)
    torch.testing.assert_close(resize_pos_embed(constant, (2, 2), (5, 3)), torch.ones(16, 3))
    with pytest.raises(ValueError, match='grid tokens'):
        resize_pos_embed(pos, (3, 3), (4, 4))


def test_resize_text_pos_embed():
    pos = torch.randn(77, 4)
    assert torch.equal(resize_text_pos_embed(pos, 13), pos[:13])
    with pytest.raises(ValueError, match='cannot extend'):
        resize_text_pos_embed(pos, 78)


def test_loading_resizes_the_vit_grid(tiny_vit_checkpoint):
    backbone = CLIPViT(model_name=TINY_VIT, pretrained=tiny_vit_checkpoint, image_size=(32, 48))
    backbone.init_weights()
    assert backbone.visual.positional_embedding.shape == (1 + 4 * 6, 64)


def test_load_clip_weights_casts_and_checks():
    model = build_tiny_clip(TINY_VIT, seed=1)
    source = build_tiny_clip(TINY_VIT, seed=2)
    load_clip_weights(model, {k: v.half() for k, v in source.state_dict().items()})
    assert model.visual.proj.dtype == torch.float32
    torch.testing.assert_close(model.visual.proj, source.visual.proj.half().float())


def test_list_clip_models():
    names = list_clip_models()
    assert TINY_VIT in names and TINY_RN in names and 'ViT-B-16' in names


def test_config_text_in_the_checkpoint_never_runs(tmp_path):
    from ovseg.compat import safe_torch_load
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    path = save_state_dict(build_tiny_clip(), str(tmp_path / 'clip.pth'), mmengine_checkpoint=True)
    torch.save(add_config_text(safe_torch_load(path), str(marker)), path)
    assert read_clip_checkpoint(path)
    create_clip(TINY_VIT, pretrained=path)
    assert not marker.exists()
