"""``init_cfg=dict(type='StrictPretrained', checkpoint=NAME_OR_PATH, prefix=...)``: a module's
weights from part of another training run's checkpoint, by weights name, strictly.

mmengine's ``Pretrained`` init loads with ``strict=False``: a stage-1 checkpoint of another
config leaves part of the module randomly initialised with only a logged warning, and it reads
paths only. This initializer resolves a weights name of :mod:`ovseg.utils.weights` (a path
passes through unchanged), takes the keys under ``prefix`` (prefix removed) and loads them with
:func:`ovseg.compat.load_model_weights`, which raises naming the missing, unexpected and
wrongly shaped keys. Written here because mmengine has no strict ``Pretrained`` variant.

mmengine applies only ``type='Pretrained'`` after the children's ``init_weights`` (any other type
runs first and is overwritten by them), so a module that takes a ``StrictPretrained`` init_cfg
inherits :class:`StrictPretrainedMixin`, which applies it last in the same way.
"""
from typing import List, Optional

from mmengine.logging import print_log
from mmengine.model.weight_init import initialize, update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS
from torch import nn

from ovseg.compat import load_model_weights, read_state_dict
from ovseg.utils.weights import resolve_weights


@WEIGHT_INITIALIZERS.register_module(name='StrictPretrained')
class StrictPretrainedInit:
    """Load the ``prefix`` part of checkpoint ``checkpoint`` into the module, strictly.

    Args:
        checkpoint (str): a registered weights name or a checkpoint path/URL.
        prefix (str, optional): the module's key prefix in the checkpoint (e.g.
            ``'proposal_generator.'``); only those keys are read, the prefix removed.
            Defaults to None (the whole checkpoint).
        map_location (str): where tensors are read to. Defaults to ``'cpu'``.

    Raises (when called):
        MissingWeightsError: a registered name whose file is not in the cache (with its command).
        CheckpointMismatchError: the weights do not fit the module (the keys are named).
    """

    def __init__(self, *, checkpoint: str, prefix: Optional[str] = None,
                 map_location: str = 'cpu') -> None:
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.map_location = map_location

    def __call__(self, module: nn.Module) -> None:
        path = resolve_weights(self.checkpoint)
        name = self.checkpoint if path == self.checkpoint else f"'{self.checkpoint}' ({path})"
        state_dict = read_state_dict(path)
        if self.prefix:
            state_dict = {k[len(self.prefix):]: v for k, v in state_dict.items()
                          if k.startswith(self.prefix)}
            name = f'the {self.prefix}* weights of {name}'
        print_log(f'load {self.prefix or "the model"} from {name}', logger='current')
        load_model_weights(module, state_dict, name=name, model_desc=type(module).__name__)
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=f'StrictPretrained: load from {self.checkpoint}')


class StrictPretrainedMixin:
    """For an mmengine ``BaseModule``: apply ``StrictPretrained`` entries of ``init_cfg`` after
    the children's ``init_weights`` (the order mmengine gives ``Pretrained``), so that they are
    not overwritten. List it before ``BaseModule`` in the bases."""

    def _strict_pretrained_cfgs(self) -> List[dict]:
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [self.init_cfg]
        return [c for c in cfgs if isinstance(c, dict) and c.get('type') == 'StrictPretrained']

    def init_weights(self) -> None:
        strict = [] if self.is_init or not self.init_cfg else self._strict_pretrained_cfgs()
        if not strict:
            super().init_weights()
            return
        init_cfg = self.init_cfg
        rest = [c for c in (init_cfg if isinstance(init_cfg, list) else [init_cfg])
                if c not in strict]
        self.init_cfg = rest or None
        try:
            super().init_weights()
        finally:
            self.init_cfg = init_cfg
        initialize(self, strict)
