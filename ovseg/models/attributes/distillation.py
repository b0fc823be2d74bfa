"""OvarNet's knowledge distillation: KL from a frozen CLIP-Attr teacher over every class, and
building that teacher from its config and checkpoint."""
import os.path as osp
from typing import Optional, Union

import torch.nn.functional as F
from mmengine.config import Config, ConfigDict
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import Tensor, nn

from ovseg.compat import load_model_weights


@MODELS.register_module()
class DistillKLLoss(BaseModule):
    """KL divergence from the teacher's class distribution to the student's, over all classes.

    OvarNet (https://arxiv.org/abs/2301.09506, Sec. 3.3, knowledge distillation; the
    released ``PromptHead`` ``ts_kl``): for each region, ``KL(softmax(t / T) ‖ softmax(s /
    T))`` over the **whole** vocabulary, seen and unseen classes alike (no class weights, no
    federated mask): the teacher's scores of classes the student never sees labelled are how
    open-vocabulary knowledge reaches the student. The teacher's logits are detached; the
    mean over regions is multiplied by ``T ** 2`` (Hinton et al.) and ``loss_weight``.

    Args:
        temperature (float): T. Defaults to 1.0 (the released code's).
        loss_weight (float): factor on the loss. Defaults to 1.0.

    Examples:
        >>> import math, torch
        >>> loss = DistillKLLoss()
        >>> teacher = torch.tensor([[0.0, math.log(3.0)]])  # (1/4, 3/4)
        >>> round(loss(torch.zeros(1, 2), teacher).item(), 6)  # 1/4 ln(1/2) + 3/4 ln(3/2)
        0.130812
    """

    def __init__(self, *, temperature: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be positive, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, student: Tensor, teacher: Tensor) -> Tensor:
        """Distillation loss.

        Args:
            student (Tensor): (N, C) student logits over all C classes.
            teacher (Tensor): (N, C) teacher logits over the same classes (detached here).

        Returns:
            Tensor: scalar; 0 (with a graph) for N = 0.
        """
        if student.shape != teacher.shape:
            raise ValueError(f'student logits {tuple(student.shape)} and teacher logits '
                             f'{tuple(teacher.shape)} differ in shape')
        if student.shape[0] == 0:
            return student.sum() * 0
        t = self.temperature
        log_q = F.log_softmax(student / t, dim=-1)  # (N, C)
        log_p = F.log_softmax(teacher.detach() / t, dim=-1)  # (N, C)
        kl = (log_p.exp() * (log_p - log_q)).sum(dim=-1)  # (N,)
        return self.loss_weight * t * t * kl.mean()


def build_teacher(config: Union[str, dict, Config], *, root: Optional[str] = None) -> nn.Module:
    """The teacher model of a config (its ``model``), frozen and in eval mode.

    Args:
        config (str | dict | Config): a config file (relative paths are tried against the
            working directory, then ``root``), or a config / dict with a ``model`` key.
        root (str, optional): directory for relative config paths. Defaults to None.

    Returns:
        nn.Module: the built model with ``requires_grad=False`` everywhere; its weights are
        loaded separately (:func:`load_teacher_weights`).
    """
    if isinstance(config, str):
        path = config
        if not osp.isfile(path) and root is not None and osp.isfile(osp.join(root, path)):
            path = osp.join(root, path)
        if not osp.isfile(path):
            raise FileNotFoundError(f'teacher config {config!r} not found')
        config = Config.fromfile(path)
    if 'model' not in config:
        raise KeyError('the teacher config has no "model"')
    model_cfg = config['model']
    model_cfg = ConfigDict(model_cfg.to_dict() if isinstance(model_cfg, Config) else model_cfg)
    teacher = MODELS.build(model_cfg)
    teacher.requires_grad_(False)
    return teacher.eval()


def load_teacher_weights(teacher: nn.Module, checkpoint: Optional[str]) -> None:
    """Load the teacher strictly from ``checkpoint`` (:func:`ovseg.compat.load_model_weights`),
    or, without one, initialise it as its config says (e.g. CLIP weights: a zero-shot
    teacher)."""
    if checkpoint is None:
        teacher.init_weights()
    else:
        load_model_weights(teacher, checkpoint, name=checkpoint, model_desc='the teacher')
    teacher.requires_grad_(False)
    teacher.eval()
