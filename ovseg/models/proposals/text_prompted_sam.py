"""Text-prompted SAM: "segment the X" from peaks of a dense CLIP pixel-text score map."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from mmseg.registry import MODELS
from segment_anything import SamPredictor
from torch import Tensor, nn

from ..clip.normalization import normalize_image
from ..clip.score_map import pixel_text_score
from .sam_generator import iter_images, pad_masks
from .sam_loading import SamSpec, build_sam, load_sam_checkpoint

def score_peaks(scores: Tensor, num_points: int, *, kernel: int = 3) -> Tuple[Tensor, Tensor]:
    """The ``num_points`` strongest local maxima of each of K score maps.

    A cell is a local maximum when it equals the maximum of its ``kernel`` x ``kernel``
    neighbourhood (max-pool non-maximum suppression; every cell of a flat plateau counts).
    Maps with fewer maxima than P repeat their best one, so the output is always full.

    Args:
        scores (Tensor): (K, h, w) score maps.
        num_points (int): P peaks per map.
        kernel (int): odd NMS window. Defaults to 3.

    Returns:
        tuple[Tensor, Tensor]: ``coords`` (K, P, 2) as (x, y) cell indices (float) and
        ``values`` (K, P), strongest first.

    Examples:
        >>> scores = torch.zeros(1, 8, 8)
        >>> scores[0, 2, 5], scores[0, 6, 1] = 1.0, 0.5
        >>> coords, values = score_peaks(scores, 2)
        >>> coords[0].tolist(), values[0].tolist()
        ([[5.0, 2.0], [1.0, 6.0]], [1.0, 0.5])
    """
    num, height, width = scores.shape
    pooled = F.max_pool2d(scores[:, None], kernel, stride=1, padding=kernel // 2)[:, 0]
    is_peak = (scores == pooled).flatten(1)  # (K, h*w)
    flat = scores.flatten(1)  # (K, h*w)
    candidates = flat.masked_fill(~is_peak, float('-inf'))
    num_points = min(num_points, height * width)
    values, index = candidates.topk(num_points, dim=1)  # (K, P)
    missing = torch.isinf(values)
    index = torch.where(missing, index[:, :1].expand_as(index), index)
    values = flat.gather(1, index)
    coords = torch.stack([index % width, index // width], dim=-1).to(scores.dtype)  # (K, P, 2)
    return coords, values


@MODELS.register_module()
class TextPromptedSAM(BaseModule):
    """Segment the asked classes only: SAM prompted at CLIP pixel-text score peaks.

    Points (and optionally a box) for each class come from a dense CLIP score map (MaskCLIP,
    Zhou et al., ECCV 2022, https://arxiv.org/abs/2112.01071, Sec. 3: patch tokens through
    ``ln_post``/``proj`` matched with text embeddings) and go to SAM's prompt encoder
    (Kirillov et al., https://arxiv.org/abs/2304.02643, Sec. 3) via ``SamPredictor``: one
    image embedding, K prompt sets, one mask per queried class, instead of segmenting
    everything on a point grid.

    ``predict(): per image -> clip_backbone() -> pixel_text_score() -> softmax over K
    -> score_peaks() -> SamPredictor.set_image() -> predict_torch(points, box) per class chunk``

    Args:
        clip_backbone (dict | nn.Module): CLIP image tower with ``with_embeddings=True``
            (``CLIPViT``/``CLIPResNet``) whose embedding space D matches the class embeddings.
        sam (str | dict | nn.Module): as in :class:`SAMProposalGenerator`. Defaults to
            ``'vit_b'``.
        checkpoint (str, optional): SAM weights file. Defaults to None.
        clip_image_size (int): longer side of the image given to CLIP. Defaults to 448.
        num_points (int): positive points per class (score peaks). Defaults to 1.
        num_negative_points (int): negative points per class: the peaks of the strongest
            other classes. Defaults to 1.
        use_box (bool): add the box around the cells where the class wins with at least
            ``box_threshold`` x its peak score. Defaults to False.
        box_threshold (float): relative score of the box region. Defaults to 0.5.
        peak_kernel (int): NMS window of :func:`score_peaks`. Defaults to 3.
        score_scale (float): logit scale of the cosines, for the class softmax and the
            returned ``class_logits``. Defaults to 100.0.
        multimask_output (bool): let SAM propose three masks per prompt and keep the one with
            the highest predicted IoU. Defaults to True.
        classes_per_batch (int): prompt sets decoded together. Defaults to 16.
        no_object_logit (float): the no-object column of ``class_logits`` (every mask was
            asked for). Defaults to -1e4.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, clip_backbone: Union[dict, nn.Module], sam: SamSpec = 'vit_b',
                 checkpoint: Optional[str] = None, clip_image_size: int = 448,
                 num_points: int = 1, num_negative_points: int = 1, use_box: bool = False,
                 box_threshold: float = 0.5, peak_kernel: int = 3, score_scale: float = 100.0,
                 multimask_output: bool = True, classes_per_batch: int = 16,
                 no_object_logit: float = -1e4, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.clip_backbone = (MODELS.build(clip_backbone) if isinstance(clip_backbone, dict)
                              else clip_backbone)
        if not getattr(self.clip_backbone, 'with_embeddings', False):
            raise ValueError('TextPromptedSAM needs a CLIP backbone with with_embeddings=True')
        self.sam = build_sam(sam)
        self.checkpoint = checkpoint
        self.clip_image_size = clip_image_size
        self.num_points = num_points
        self.num_negative_points = num_negative_points
        self.use_box = use_box
        self.box_threshold = box_threshold
        self.peak_kernel = peak_kernel
        self.score_scale = score_scale
        self.multimask_output = multimask_output
        self.classes_per_batch = classes_per_batch
        self.no_object_logit = no_object_logit

    def init_weights(self) -> None:
        """Apply ``init_cfg`` (the CLIP tower loads its ``pretrained``), then SAM's weights."""
        super().init_weights()
        if self.checkpoint is not None:
            load_sam_checkpoint(self.sam, self.checkpoint)

    @torch.no_grad()
    def score_map(self, image: Tensor, class_embeddings: Tensor) -> Tensor:
        """Cosine similarity of dense CLIP embeddings with the class embeddings.

        Args:
            image (Tensor): (3, h, w) raw RGB in [0, 255] (unpadded).
            class_embeddings (Tensor): (K, D) text embeddings.

        Returns:
            Tensor: (K, h', w') cosines on CLIP's token grid for the image resized to longer
            side ``clip_image_size``.
        """
        height, width = image.shape[-2:]
        scale = self.clip_image_size / max(height, width)
        size = (max(1, round(height * scale)), max(1, round(width * scale)))
        x = F.interpolate(image[None].float(), size=size, mode='bicubic', align_corners=False)
        _, dense = self.clip_backbone(normalize_image(x))[-1]  # (1, D, h', w')
        return pixel_text_score(dense, class_embeddings.to(dense))[0]  # (K, h', w')

    def prompts(self, scores: Tensor, image_size: Tuple[int, int]) -> Dict[str, Tensor]:
        """Point (and box) prompts of every class from its score map.

        Args:
            scores (Tensor): (K, h', w') cosines (:meth:`score_map`).
            image_size (tuple[int, int]): (h, w) of the image the prompts refer to.

        Returns:
            dict[str, Tensor]: ``point_coords`` (K, N, 2) (x, y) pixels, ``point_labels``
            (K, N) 1 positive / 0 negative, N = ``num_points`` + negatives, and
            ``boxes`` (K, 4) x1 y1 x2 y2 pixels with ``use_box``.
        """
        num_classes, grid_h, grid_w = scores.shape
        probs = (scores * self.score_scale).softmax(0) if num_classes > 1 else scores
        coords, values = score_peaks(probs, self.num_points, kernel=self.peak_kernel)
        labels = torch.ones(coords.shape[:2], dtype=torch.long, device=scores.device)
        num_neg = min(self.num_negative_points, num_classes - 1)
        if num_neg > 0:
            best = values[:, 0].expand(num_classes, -1).clone()  # (K, K): row k, column j
            best.fill_diagonal_(float('-inf'))
            other = best.topk(num_neg, dim=1).indices  # (K, n)
            coords = torch.cat([coords, coords[other, 0]], dim=1)  # (K, P + n, 2)
            labels = torch.cat([labels, torch.zeros_like(other)], dim=1)
        cell = scores.new_tensor([image_size[1] / grid_w, image_size[0] / grid_h])
        out = dict(point_coords=(coords + 0.5) * cell, point_labels=labels)
        if self.use_box:
            winner = probs.argmax(0)  # (h', w')
            boxes = []
            for k in range(num_classes):
                region = (winner == k) & (probs[k] >= self.box_threshold * values[k, 0])
                if not region.any():
                    region = probs[k] >= values[k, 0]
                ys, xs = torch.nonzero(region, as_tuple=True)
                boxes.append(torch.stack([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]))
            out['boxes'] = torch.stack(boxes).to(scores.dtype) * cell.repeat(2)  # (K, 4)
        return out

    @torch.no_grad()
    def _segment(self, predictor: SamPredictor, prompts: Dict[str, Tensor],
                 image_size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """SAM mask logits (K, h, w) and predicted IoUs (K,) for the prompt sets."""
        logits, ious = [], []
        device = self.sam.device
        for start in range(0, prompts['point_coords'].shape[0], self.classes_per_batch):
            chunk = slice(start, start + self.classes_per_batch)
            coords = predictor.transform.apply_coords_torch(
                prompts['point_coords'][chunk].to(device), image_size)
            boxes = None
            if 'boxes' in prompts:
                boxes = predictor.transform.apply_boxes_torch(
                    prompts['boxes'][chunk].to(device), image_size)
            masks, iou, _ = predictor.predict_torch(
                coords, prompts['point_labels'][chunk].to(device), boxes=boxes,
                multimask_output=self.multimask_output, return_logits=True)  # (k, M, h, w)
            best = iou.argmax(1)  # (k,)
            rows = torch.arange(len(best), device=device)
            logits.append(masks[rows, best])  # (k, h, w)
            ious.append(iou[rows, best])
        return torch.cat(logits), torch.cat(ious)

    def predict(self, inputs: Tensor, batch_data_samples: Optional[Sequence],
                class_embeddings: Tensor) -> List[InstanceData]:
        """One mask per queried class and image.

        Args:
            inputs (Tensor): (B, 3, H, W) raw RGB in [0, 255], zero-padded bottom/right.
            batch_data_samples (Sequence, optional): samples with ``img_shape`` (h, w).
            class_embeddings (Tensor): (K, D) text embeddings of the queried classes.

        Returns:
            list[InstanceData]: per image, Q = K proposals in class order: ``masks``
            (K, H, W) soft (sigmoid of SAM's logits, zero in the padding), ``labels`` (K,)
            = 0..K-1, ``scores`` (K,) SAM's predicted IoU, ``class_logits`` (K, K+1)
            ``score_scale`` x the mask-weighted mean cosine of each class (last column
            ``no_object_logit``), ``point_coords`` (K, N, 2), ``point_labels`` (K, N) and,
            with ``use_box``, ``boxes`` (K, 4).
        """
        if class_embeddings is None:
            raise ValueError('TextPromptedSAM needs class_embeddings (K, D) to know what '
                             'to segment.')
        predictor = SamPredictor(self.sam)
        size = tuple(inputs.shape[-2:])
        results = []
        for b, (image, image_size) in enumerate(iter_images(inputs, batch_data_samples)):
            scores = self.score_map(inputs[b, :, :image_size[0], :image_size[1]],
                                    class_embeddings)  # (K, h', w')
            prompts = self.prompts(scores, image_size)
            predictor.set_image(image)
            logits, ious = self._segment(predictor, prompts, image_size)
            masks = logits.sigmoid()  # (K, h, w)
            results.append(InstanceData(
                masks=pad_masks(masks, size).to(inputs.device),
                labels=torch.arange(len(masks), device=inputs.device),
                scores=ious.to(inputs.device),
                class_logits=self._class_logits(masks, scores).to(inputs.device),
                **{k: v.to(inputs.device) for k, v in prompts.items()}))
            predictor.reset_image()
        return results

    def _class_logits(self, masks: Tensor, scores: Tensor) -> Tensor:
        """(Q, K+1): scaled mask-pooled cosines of every class plus the no-object column."""
        weights = F.adaptive_avg_pool2d(masks[:, None].to(scores), scores.shape[-2:])[:, 0]
        weights = weights.flatten(1)  # (Q, h'*w')
        pooled = weights @ scores.flatten(1).t() / weights.sum(1, keepdim=True).clamp_min(1e-6)
        no_object = pooled.new_full((pooled.shape[0], 1), self.no_object_logit)
        return torch.cat([self.score_scale * pooled, no_object], dim=1)  # (Q, K+1)
