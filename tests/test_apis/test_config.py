"""ovseg.apis.config: the process-group shutdown that tools/train.py and tools/test.py end with."""
import torch.distributed as dist

from ovseg.apis import shutdown_distributed


def test_shutdown_distributed_destroys_the_group_and_is_a_no_op_without_one(tmp_path):
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0,
                            world_size=1)
    assert dist.is_initialized()
    shutdown_distributed()
    assert not dist.is_initialized()
    shutdown_distributed()  # nothing left to destroy
    assert not dist.is_initialized()
