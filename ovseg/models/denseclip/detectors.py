"""DenseCLIP detectors on mmdet 3.x: RetinaNet and Mask R-CNN with language guidance."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.detectors import MaskRCNN, RetinaNet
from mmdet.registry import MODELS
from torch import Tensor

from .language_guide import LanguageGuideMixin


def box_seg_targets(size: Tuple[int, int], stride: float, data_samples: Sequence,
                    num_classes: int) -> Tuple[Tensor, Tensor]:
    """Class masks and loss weights drawn from the GT boxes on the target grid.

    As the original DenseCLIP detectors: each box, divided by ``stride`` and truncated, is
    clamped to ``[0, W-1]`` x ``[0, H-1]`` and fills ``[y1:y2, x1:x2]``, so the last row and
    column of the grid are never covered (a box reaching the image border stops one cell
    short of it).

    Args:
        size (tuple[int, int]): (H, W) grid of the targets (the stride-4 level).
        stride (float): input pixels per target cell.
        data_samples (Sequence[DetDataSample]): with ``gt_instances.bboxes`` (N, 4) xyxy in
            input pixels and ``gt_instances.labels`` (N,).
        num_classes (int): K.

    Returns:
        tuple[Tensor, Tensor]: target (B, K, H, W) in {0, 1} and weight (B, 1, H, W), 1
        inside any box.
    """
    height, width = size
    target = torch.zeros(len(data_samples), num_classes, height, width)  # (B, K, H, W)
    mask = torch.zeros(len(data_samples), 1, height, width)  # (B, 1, H, W)
    for b, sample in enumerate(data_samples):
        boxes = sample.gt_instances.bboxes
        boxes = getattr(boxes, 'tensor', boxes)
        for (x1, y1, x2, y2), label in zip((boxes / stride).long().tolist(),
                                           sample.gt_instances.labels.tolist()):
            x1, x2 = min(max(x1, 0), width - 1), min(max(x2, 0), width - 1)
            y1, y2 = min(max(y1, 0), height - 1), min(max(y2, 0), height - 1)
            target[b, label, y1:y2, x1:x2] = 1
            mask[b, :, y1:y2, x1:x2] = 1
    return target, mask


def box_seg_loss(logits: Tensor, size: Tuple[int, int], stride: float,
                 data_samples: Sequence) -> Tensor:
    """Sigmoid BCE of the score map against masks drawn from the GT boxes.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: the auxiliary
    pixel-text loss of Sec. 3.2 adapted to box labels (Sec. 4.2). Every GT box fills its
    class channel with 1 (:func:`box_seg_targets`); pixels outside every box are ignored
    (weight 0) and the sum is divided by the weighted element count.

    Args:
        logits (Tensor): (B, K, h, w) score map / tau.
        size (tuple[int, int]): (H, W) grid of the targets (the stride-4 level).
        stride (float): input pixels per target cell.
        data_samples (Sequence[DetDataSample]): with ``gt_instances.bboxes`` (N, 4) xyxy in
            input pixels and ``gt_instances.labels`` (N,).

    Returns:
        Tensor: scalar loss (0 when no box covers a cell).
    """
    logits = F.interpolate(logits, size=size, mode='bilinear', align_corners=False)
    target, mask = box_seg_targets(size, stride, data_samples, logits.shape[1])
    target, mask = target.to(logits), mask.to(logits).expand_as(logits)
    loss = F.binary_cross_entropy_with_logits(logits, target, weight=mask, reduction='sum')
    return loss / mask.sum().clamp(min=1)


class _DenseCLIPDetectorMixin(LanguageGuideMixin):
    """Language-guided ``extract_feat`` and the box-mask auxiliary loss for mmdet detectors.

    Call graph::

        loss():    _check_vocabulary() -> <detector>.loss() -> extract_feat()
                   + box_seg_loss(score / tau)
        extract_feat(): backbone() -> _language_guide(global, dense)
                        -> cat(level[score_concat_index], score / tau) -> neck()
    """

    seg_loss_name = 'loss_seg'

    def _setup(self, *, neck: Optional[dict], num_classes: int, text_encoder: dict,
               context_decoder: dict, context_length: int, text_length: int, tau: float,
               score_concat_index: int, seg_loss_weight: float, size_divisor: int,
               class_names: Optional[Sequence[str]], long_names: str) -> None:
        levels = list(self.backbone.out_channels)
        if not 0 <= score_concat_index < len(levels):
            raise ValueError(f'score_concat_index={score_concat_index} is not one of the '
                             f'{len(levels)} backbone levels')
        self.score_concat_index = score_concat_index
        if neck is not None:
            self.neck = MODELS.build(self._neck_with_channels(neck, num_classes))
        self.seg_loss_weight = seg_loss_weight
        self.size_divisor = size_divisor
        self._train_score: Optional[Tuple[Tensor, Tuple[int, int], float]] = None
        self._init_language(text_encoder=text_encoder, context_decoder=context_decoder,
                            context_length=context_length, text_length=text_length, tau=tau,
                            class_names=class_names, long_names=long_names,
                            num_classes=num_classes)

    def _validate_vocabulary_size(self, num: int) -> None:
        self._require_num_classes(num)

    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone, score map / tau concatenated to one level, neck.

        Args:
            batch_inputs (Tensor): (B, 3, H, W) normalised images; zero-padded at the
                bottom/right to multiples of ``size_divisor`` (box coordinates unchanged).

        Returns:
            tuple[Tensor]: neck features (FPN levels).
        """
        self._check_vocabulary(need_num_classes=True, where='extract_feat')
        h, w = batch_inputs.shape[-2:]
        d = self.size_divisor
        if h % d or w % d:
            batch_inputs = F.pad(batch_inputs, (0, -w % d, 0, -h % d))
        *levels, (global_feat, dense) = self.backbone(batch_inputs)
        _, score = self._language_guide(global_feat, dense)  # (B, K, h', w') cosines
        logits = score / self.tau
        i = self.score_concat_index
        fused = logits
        if fused.shape[-2:] != levels[i].shape[-2:]:
            fused = F.interpolate(fused, size=levels[i].shape[-2:], mode='bilinear',
                                  align_corners=False)
        levels[i] = torch.cat([levels[i], fused], dim=1)  # (B, C_i + K, H_i, W_i)
        if self.training:
            size = tuple(levels[0].shape[-2:])
            self._train_score = (logits, size, batch_inputs.shape[-1] / size[1])
        return tuple(self.neck(levels)) if self.with_neck else tuple(levels)

    def loss(self, batch_inputs: Tensor, batch_data_samples: List) -> dict:
        """The detector's losses plus ``seg_loss_name`` (box-mask BCE) when its weight > 0."""
        self._train_score = None
        losses = super().loss(batch_inputs, batch_data_samples)
        if self.seg_loss_weight > 0 and self._train_score is not None:
            logits, size, stride = self._train_score
            losses[self.seg_loss_name] = self.seg_loss_weight * box_seg_loss(
                logits, size, stride, batch_data_samples)
        self._train_score = None
        return losses


_ARGS_DOC = """
    Args:
        backbone (dict): CLIP image tower with ``with_embeddings=True`` (``CLIPResNet``).
        text_encoder (dict): ``OVCLIPTextEncoder`` config (``freeze=True`` keeps it frozen).
        context_decoder (dict): :class:`ContextDecoder` config.
        neck (dict): FPN config; ``in_channels`` filled in (backbone levels + K score
            channels at ``score_concat_index``) when omitted, checked when given.
        context_length (int): learnable context tokens. Defaults to 8.
        text_length (int): prompt positions, contexts included. Defaults to 13.
        tau (float): temperature of the score map. Defaults to 0.07.
        score_concat_index (int): backbone level receiving the score map. Defaults to 3.
        seg_loss_weight (float): weight of the box-mask pixel-text loss (0 disables it).
            Defaults to 1.0.
        size_divisor (int): inputs are padded to multiples of it. Defaults to 32.
        class_names (Sequence[str], optional): initial vocabulary (else
            :meth:`set_vocabulary`); its size must equal the detector's ``num_classes``.
        long_names (str): ``'warn'`` (truncate) or ``'error'`` for names that do not fit.
        train_cfg, test_cfg, data_preprocessor, init_cfg: as the mmdet detector.
"""


@MODELS.register_module()
class DenseCLIPRetinaNet(_DenseCLIPDetectorMixin, RetinaNet):
    __doc__ = """RetinaNet on a language-guided CLIP backbone (DenseCLIP).

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518, Sec. 4.2: the
    pixel-text score map divided by tau is concatenated to C5 before the FPN; an auxiliary
    sigmoid BCE on box-derived masks (``loss_seg``) trains it. ``num_classes`` is
    ``bbox_head.num_classes``.
    """ + _ARGS_DOC

    def __init__(self, *, backbone: dict, text_encoder: dict, context_decoder: dict,
                 neck: dict, bbox_head: dict, context_length: int = 8, text_length: int = 13,
                 tau: float = 0.07, score_concat_index: int = 3, seg_loss_weight: float = 1.0,
                 size_divisor: int = 32, class_names: Optional[Sequence[str]] = None,
                 long_names: str = 'warn', train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=None, bbox_head=bbox_head,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._setup(neck=neck, num_classes=bbox_head['num_classes'], text_encoder=text_encoder,
                    context_decoder=context_decoder, context_length=context_length,
                    text_length=text_length, tau=tau, score_concat_index=score_concat_index,
                    seg_loss_weight=seg_loss_weight, size_divisor=size_divisor,
                    class_names=class_names, long_names=long_names)


@MODELS.register_module()
class DenseCLIPMaskRCNN(_DenseCLIPDetectorMixin, MaskRCNN):
    __doc__ = """Mask R-CNN on a language-guided CLIP backbone (DenseCLIP).

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518, Sec. 4.2: as
    :class:`DenseCLIPRetinaNet`, with the auxiliary loss named ``loss_aux_seg``.
    ``num_classes`` is ``roi_head.bbox_head.num_classes``.
    """ + _ARGS_DOC

    seg_loss_name = 'loss_aux_seg'

    def __init__(self, *, backbone: dict, text_encoder: dict, context_decoder: dict,
                 neck: dict, rpn_head: dict, roi_head: dict, context_length: int = 8,
                 text_length: int = 13, tau: float = 0.07, score_concat_index: int = 3,
                 seg_loss_weight: float = 1.0, size_divisor: int = 32,
                 class_names: Optional[Sequence[str]] = None, long_names: str = 'warn',
                 train_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=None, rpn_head=rpn_head, roi_head=roi_head,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._setup(neck=neck, num_classes=roi_head['bbox_head']['num_classes'],
                    text_encoder=text_encoder, context_decoder=context_decoder,
                    context_length=context_length, text_length=text_length, tau=tau,
                    score_concat_index=score_concat_index, seg_loss_weight=seg_loss_weight,
                    size_divisor=size_divisor, class_names=class_names, long_names=long_names)
