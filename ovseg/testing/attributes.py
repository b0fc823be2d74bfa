"""Tiny OvarNet configs for tests and smoke runs: the real SynthWorld config on the tiny
ResNet CLIP."""
import os.path as osp
from typing import Optional, Union

from mmengine.config import Config, ConfigDict

from ._utils import TINY_RN

_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OVARNET_CONFIG = osp.join(_ROOT, 'configs/attributes/ovarnet_synthclip-rn-s_synthworld.py')
#: a tiny CLIP-Attr teacher as ``distill.teacher_config`` accepts it (a dict with ``model``)
TINY_TEACHER = dict(model=dict(type='CLIPAttr', model_name=TINY_RN, num_context_tokens=3,
                               category_type='shape'))


def tiny_ovarnet_config(teacher: Optional[Union[str, dict]] = TINY_TEACHER,
                        checkpoint: Optional[str] = None) -> ConfigDict:
    """The ``model`` of the SynthWorld OvarNet config on ``ovseg-tiny-rn`` (C2-C5 of 32-256
    channels, FPN 16, one encoder layer, 3 prompt vectors, no pretrained weights).

    Args:
        teacher (str | dict, optional): ``distill.teacher_config``; None: no distillation.
            Defaults to :data:`TINY_TEACHER`.
        checkpoint (str, optional): ``distill.teacher_checkpoint``. Defaults to None.
    """
    cfg = Config.fromfile(OVARNET_CONFIG).model
    cfg.model_name, cfg.pretrained, cfg.num_context_tokens = TINY_RN, None, 3
    cfg.neck.in_channels, cfg.neck.out_channels = [32, 64, 128, 256], 16
    cfg.rpn_head.in_channels = cfg.rpn_head.feat_channels = 16
    cfg.roi_head.bbox_roi_extractor.out_channels = 16
    cfg.roi_head.update(num_layers=1, num_heads=2, feedforward_channels=32)
    if teacher is None:
        cfg.distill = None
    else:
        cfg.distill.update(teacher_config=teacher, teacher_checkpoint=checkpoint)
    return cfg
