"""Class-agnostic mask proposals from Segment Anything's automatic mask generator."""
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from mmseg.registry import MODELS
from segment_anything import SamAutomaticMaskGenerator
from torch import Tensor

from .sam_loading import SamSpec, build_sam, load_sam_checkpoint


def iter_images(inputs: Tensor,
                batch_data_samples: Optional[Sequence] = None
                ) -> Iterator[Tuple[np.ndarray, Tuple[int, int]]]:
    """Unpadded RGB uint8 images (h, w, 3) of a padded batch, as SAM's predictor wants them.

    Args:
        inputs (Tensor): (B, 3, H, W) raw RGB values in [0, 255], zero-padded bottom/right.
        batch_data_samples (Sequence, optional): data samples whose ``img_shape`` (h, w) is the
            unpadded size. Defaults to None (the whole (H, W)).

    Yields:
        tuple: the image (h, w, 3) uint8 and its (h, w).
    """
    for i, image in enumerate(inputs):
        height, width = image.shape[-2:]
        if batch_data_samples is not None and 'img_shape' in batch_data_samples[i].metainfo:
            height, width = batch_data_samples[i].metainfo['img_shape'][:2]
        array = image[:, :height, :width].detach().round().clamp(0, 255).byte()
        yield array.permute(1, 2, 0).cpu().numpy(), (height, width)  # (h, w, 3)


def pad_masks(masks: Tensor, size: Tuple[int, int]) -> Tensor:
    """Zero-pad (Q, h, w) masks bottom/right to ``size`` (H, W)."""
    return F.pad(masks, (0, size[1] - masks.shape[-1], 0, size[0] - masks.shape[-2]))


@MODELS.register_module()
class SAMProposalGenerator(BaseModule):
    """Class-agnostic proposals: SAM's ``SamAutomaticMaskGenerator`` on a point grid.

    Segment Anything, Kirillov et al., ICCV 2023, https://arxiv.org/abs/2304.02643, Sec. 4
    and App. B (automatic mask generation): a ``points_per_side``\\ :sup:`2` grid of single-point
    prompts, masks filtered by predicted IoU and stability, box NMS, optional crops and small-region
    clean-up. Replaces MaskFormer as OVSeg's stage 1 (the SAM + OVSeg demo, ov-seg issue #25).

    ``predict(): per image -> SamAutomaticMaskGenerator.generate(uint8 HWC) -> pad to input``

    The generator does not classify: proposals carry no ``class_logits`` and
    ``class_embeddings`` are ignored. Weights are loaded by :meth:`init_weights`
    (weights-only, strict, position tables fitted to the input size).

    Args:
        sam (str | dict | nn.Module): ``'vit_b'``/``'vit_l'``/``'vit_h'``, an architecture dict
            for :func:`~.sam_loading.build_sam_from_arch`, or a built ``Sam``.
            Defaults to ``'vit_b'``.
        checkpoint (str, optional): SAM weights file. Defaults to None (random weights).
        points_per_side (int): grid points along each side. Defaults to 32.
        points_per_batch (int): prompts run through the decoder together. Defaults to 64.
        pred_iou_thresh (float): minimum predicted IoU. Defaults to 0.88.
        stability_score_thresh (float): minimum stability score. Defaults to 0.95.
        stability_score_offset (float): logit offset of the stability score. Defaults to 1.0.
        box_nms_thresh (float): box IoU of the NMS between masks. Defaults to 0.7.
        crop_n_layers (int): extra layers of image crops. Defaults to 0.
        crop_nms_thresh (float): box NMS between crops. Defaults to 0.7.
        crop_overlap_ratio (float): crop overlap. Defaults to 512 / 1500.
        crop_n_points_downscale_factor (int): point-grid downscale per crop layer.
            Defaults to 1.
        min_mask_region_area (int): remove holes and islands below this area (pixels, needs
            OpenCV). Defaults to 0.
        max_proposals (int, optional): keep the proposals with the highest predicted IoU.
            Defaults to None (all).
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> from ovseg.testing import build_tiny_sam
        >>> generator = SAMProposalGenerator(sam=build_tiny_sam(), points_per_side=4,
        ...                                  pred_iou_thresh=0.0, stability_score_thresh=0.0)
        >>> proposals = generator.predict(torch.rand(1, 3, 64, 64) * 255, None)
        >>> proposals[0].masks.shape[1:]
        torch.Size([64, 64])
    """

    def __init__(self, *, sam: SamSpec = 'vit_b', checkpoint: Optional[str] = None,
                 points_per_side: int = 32, points_per_batch: int = 64,
                 pred_iou_thresh: float = 0.88, stability_score_thresh: float = 0.95,
                 stability_score_offset: float = 1.0, box_nms_thresh: float = 0.7,
                 crop_n_layers: int = 0, crop_nms_thresh: float = 0.7,
                 crop_overlap_ratio: float = 512 / 1500,
                 crop_n_points_downscale_factor: int = 1, min_mask_region_area: int = 0,
                 max_proposals: Optional[int] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.sam = build_sam(sam)
        self.checkpoint = checkpoint
        self.max_proposals = max_proposals
        self.amg_cfg = dict(
            points_per_side=points_per_side, points_per_batch=points_per_batch,
            pred_iou_thresh=pred_iou_thresh, stability_score_thresh=stability_score_thresh,
            stability_score_offset=stability_score_offset, box_nms_thresh=box_nms_thresh,
            crop_n_layers=crop_n_layers, crop_nms_thresh=crop_nms_thresh,
            crop_overlap_ratio=crop_overlap_ratio,
            crop_n_points_downscale_factor=crop_n_points_downscale_factor,
            min_mask_region_area=min_mask_region_area, output_mode='binary_mask')

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load ``checkpoint`` into SAM (weights-only, strict)."""
        super().init_weights()
        if self.checkpoint is not None:
            load_sam_checkpoint(self.sam, self.checkpoint)

    @torch.no_grad()
    def generate(self, image: np.ndarray) -> List[dict]:
        """SAM's raw automatic-mask records for one image.

        Args:
            image (np.ndarray): (h, w, 3) uint8 RGB.

        Returns:
            list[dict]: ``segmentation`` (h, w) bool, ``predicted_iou``, ``stability_score``,
            ``bbox`` (x, y, w, h), ``area``, ``point_coords``, ``crop_box``; sorted by
            predicted IoU, highest first, at most ``max_proposals``.
        """
        records = SamAutomaticMaskGenerator(self.sam, **self.amg_cfg).generate(image)
        records = sorted(records, key=lambda r: r['predicted_iou'], reverse=True)
        return records[:self.max_proposals] if self.max_proposals else records

    def predict(self, inputs: Tensor, batch_data_samples: Optional[Sequence] = None,
                class_embeddings: Optional[Tensor] = None) -> List[InstanceData]:
        """Automatic masks of every image.

        Args:
            inputs (Tensor): (B, 3, H, W) raw RGB in [0, 255], zero-padded bottom/right.
            batch_data_samples (Sequence, optional): samples whose ``img_shape`` is the
                unpadded (h, w). Defaults to None (no padding).
            class_embeddings (Tensor, optional): (K, D); ignored (class-agnostic).

        Returns:
            list[InstanceData]: per image ``masks`` (Q, H, W) float in {0, 1} (binary SAM
            masks, zero in the padding), ``scores`` (Q,) predicted IoU, ``stability_scores``
            (Q,), ``bboxes`` (Q, 4) x1 y1 x2 y2 in pixels; Q may be 0.
        """
        results = []
        size = tuple(inputs.shape[-2:])
        for image, (height, width) in iter_images(inputs, batch_data_samples):
            records = self.generate(image)
            masks = torch.zeros(len(records), height, width)
            for q, record in enumerate(records):
                masks[q] = torch.from_numpy(record['segmentation'])
            boxes = torch.tensor([r['bbox'] for r in records], dtype=torch.float32).reshape(-1, 4)
            boxes[:, 2:] += boxes[:, :2]  # (Q, 4) xywh -> xyxy
            results.append(InstanceData(
                masks=pad_masks(masks, size).to(inputs.device),  # (Q, H, W)
                scores=inputs.new_tensor([r['predicted_iou'] for r in records]),
                stability_scores=inputs.new_tensor([r['stability_score'] for r in records]),
                bboxes=boxes.to(inputs.device)))
        return results
