"""ovseg.apis.config: loading a run config with overrides, and the process-group shutdown
that tools/train.py and tools/test.py end with."""
import pytest
import torch.distributed as dist

from ovseg.apis import shutdown_distributed
from ovseg.apis.config import load_config
from ovseg.utils.errors import InputError


def test_shutdown_distributed_destroys_the_group_and_is_a_no_op_without_one(tmp_path):
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0,
                            world_size=1)
    assert dist.is_initialized()
    shutdown_distributed()
    assert not dist.is_initialized()
    shutdown_distributed()  # nothing left to destroy
    assert not dist.is_initialized()


def test_cfg_option_below_none_is_an_input_error(tmp_path):
    path = tmp_path / 'test_only.py'
    path.write_text('train_dataloader = None\nmodel = dict(type="M")\n')
    with pytest.raises(InputError, match=r'--cfg-options cannot be applied to .*test_only.py: '
                                         r'train_dataloader='):
        load_config(str(path), cfg_options={'train_dataloader.dataset.data_root': 'x'})
