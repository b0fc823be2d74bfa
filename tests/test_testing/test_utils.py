"""ovseg.testing._utils: tiny CLIPs and the checkpoint layouts ovseg must read."""
import torch

from ovseg.compat import read_state_dict
from ovseg.compat.torchscript import is_torchscript_archive, read_torchscript_state_dict
from ovseg.testing import TINY_RN, build_tiny_clip, save_openai_torchscript, save_state_dict


def test_tiny_clip_is_seeded_with_non_trivial_batch_norm_statistics():
    a, b = build_tiny_clip(TINY_RN, seed=1), build_tiny_clip(TINY_RN, seed=1)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())
    means = [v for k, v in a.state_dict().items() if k.endswith('running_mean')]
    assert means and all(m.abs().sum() > 0 for m in means)


def test_saved_layouts_read_back_to_the_same_weights(tmp_path):
    model = build_tiny_clip(TINY_RN)
    expected = model.state_dict()
    ddp = torch.load(save_state_dict(model, str(tmp_path / 'ddp.pt'), key_prefix='module.'),
                     weights_only=True)
    assert set(ddp) == {'module.' + k for k in expected}
    runner = save_state_dict(model, str(tmp_path / 'runner.pth'), mmengine_checkpoint=True)
    for path in (runner, save_openai_torchscript(model, str(tmp_path / 'script.pt'))):
        loaded = read_state_dict(path)
        assert loaded.keys() == expected.keys()
        assert all(torch.equal(loaded[k].float(), v.float()) for k, v in expected.items())
    assert is_torchscript_archive(str(tmp_path / 'script.pt'))
    assert read_torchscript_state_dict(str(tmp_path / 'script.pt')).keys() == expected.keys()
