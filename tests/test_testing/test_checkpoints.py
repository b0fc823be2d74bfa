"""ovseg.testing.checkpoints: stored config text that leaves a marker file if it is executed."""
import io

import torch
from mmengine.config import Config

from ovseg.testing import add_config_text


def test_config_text_is_weights_only_data_that_runs_when_parsed(tmp_path):
    marker = tmp_path / 'ran'
    checkpoint = add_config_text(dict(state_dict={'w': torch.zeros(1)}), str(marker), 'x = 1\n')
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    code = loaded['meta']['config']
    assert loaded['meta']['cfg'] == code == loaded['message_hub']['runtime_info']['cfg']
    assert not marker.exists()
    assert Config.fromstring(code, '.py').x == 1
    assert marker.read_text() == 'ran'
