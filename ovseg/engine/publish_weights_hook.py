"""Publishing a trained model's weights under a weights name (:mod:`ovseg.utils.weights`).

After training, :class:`PublishWeightsHook` writes the model's weights, without optimizer state,
message hub or config text, to ``work_dir/<name>.pt`` and copies that file into the ovseg weights
cache, so that a config or the model zoo reads them as ``name`` instead of a
``work_dirs/.../iter_N.pth`` path. :class:`~ovseg.models.pretraining.ExportCLIPHook` is the same
hook with another file format (an open_clip checkpoint).
"""
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from mmengine.runner.checkpoint import get_state_dict, weights_to_cpu
from torch import nn

from ovseg.utils.weights import register_weights, weights_entry


@HOOKS.register_module()
class PublishWeightsHook(Hook):
    """After training, write the model's weights to ``work_dir/<filename>`` (rank 0 only).

    The file is ``{'state_dict': ..., 'meta': {'dataset_meta': ...}}``, what
    :func:`ovseg.compat.load_model_weights` and ``OVSegInferencer`` read (strictly). With
    ``name`` (a registered weights name), the file is ``<name>.pt`` and is also copied into the
    weights cache (:func:`~ovseg.utils.weights.register_weights`). Subclasses write another
    format by overriding :meth:`save`.

    Args:
        name (str, optional): registered weights name to publish the weights as; checked when
            the hook is built, so that an unknown name fails before training. Defaults to None
            (the work dir only).
        filename (str, optional): file name inside the work dir. Defaults to ``'<name>.pt'``
            with ``name``, else :attr:`default_filename`.
        out_dir (str, optional): folder instead of the work dir. Defaults to None.
    """

    priority = 'LOW'
    default_filename = 'weights.pt'

    def __init__(self, *, name: Optional[str] = None, filename: Optional[str] = None,
                 out_dir: Optional[str] = None) -> None:
        if name is not None:
            weights_entry(name)
        self.name = name
        self.filename = filename or (f'{name}.pt' if name else self.default_filename)
        self.out_dir = out_dir

    def save(self, runner, model: nn.Module, path: str) -> str:
        """Write ``model``'s weights to ``path``; returns how to log them (``'the weights'``)."""
        # dataset_meta as mmengine's Runner.save_checkpoint stores it in iter_N.pth
        metainfo = getattr(runner.train_dataloader.dataset, 'metainfo', None)
        meta = {} if metainfo is None else dict(dataset_meta=metainfo)
        torch.save(dict(state_dict=weights_to_cpu(get_state_dict(model)), meta=meta), path)
        return f'the weights of {type(model).__name__}'

    def after_train(self, runner) -> None:
        if runner.rank != 0:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        path = osp.join(self.out_dir or runner.work_dir, self.filename)
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        what = self.save(runner, model, path)
        if self.name is None:
            runner.logger.info(f"Saved {what} to {path} (use it as pretrained='{path}').")
            return
        cached = register_weights(self.name, path)
        runner.logger.info(f'Saved {what} to {path} and {cached} (use them as '
                           f"'{self.name}').")
