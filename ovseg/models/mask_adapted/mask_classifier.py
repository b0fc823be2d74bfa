"""Classify mask proposals with CLIP: masked crops (OVSeg) or one dense pass (ours)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS as ROOT_MODELS
from mmseg.registry import MODELS
from torch import Tensor

from ..clip.normalization import normalize_image
from ..utils.masks import binarize_masks, crop_masked_regions
from .mask_prompt_clip import masked_tower_embed
from .single_pass import mask_pool

_MODES = ('crop', 'single_pass')


@MODELS.register_module()
class MaskCLIPClassifier(BaseModule):
    """Embed and classify class-agnostic masks with a CLIP image tower.

    ``mode='crop'``: OVSeg (https://arxiv.org/abs/2210.04150), Sec. 3.1 -- each mask is
    binarised at ``mask_threshold``, cropped to its tight box with CLIP's mean pixel outside
    the mask, resized to the CLIP input size (bicubic, aspect ratio not kept) and embedded;
    all valid crops of the batch go through CLIP together, ``chunk_size`` at a time. With a
    :class:`MaskPromptViT` the blank patches get mask prompts (Sec. 3.3).

    ``mode='single_pass'``: ours -- the whole image goes through CLIP once and each mask
    pools the L2-normalised dense embeddings under it (:func:`mask_pool`).

    Logits are ``logit_scale`` x cosine(region, class), 100 x as in OVSeg.

    ``forward(): embed_regions() -> logit_scale * regions @ classes.T``;
    ``embed_regions(): crop_masked_regions() -> tower.encode_masked()`` (crop) or
    ``tower() -> mask_pool()`` (single pass).

    Args:
        clip (dict): image tower config: :class:`MaskPromptViT` (both modes), or
            ``CLIPViT``/``CLIPResNet`` with ``with_embeddings=True``.
        mode (str): ``'crop'`` or ``'single_pass'``. Defaults to ``'crop'``.
        mask_threshold (float): binarisation threshold; empty masks are invalid (0.4 in
            OVSeg's Swin-B config, 0.5 R101c, 0.35 demo). Defaults to 0.4.
        crop_size (int, optional): crop side. Defaults to None (the tower's image size).
        chunk_size (int): crops per CLIP call (bounds memory). Defaults to 64.
        logit_scale (float): multiplier of the cosine. Defaults to 100.
        dense_scale (float): single pass: resize factor of the image before CLIP (more
            dense positions per object for small images). Defaults to 1.0.
        value_path (bool): single pass with a :class:`MaskPromptViT`: dense embeddings from
            the last block's value path (MaskCLIP) instead of its output tokens.
            Defaults to False.
        box_scale (float): crop mode: scale of the crop box about the tight box's centre.
            Defaults to 1.0 (OVSeg).
        square_crop (bool): crop mode: square crop boxes (aspect ratio kept). Defaults to
            False (OVSeg).
        mean_fill (bool): crop mode: mean pixel outside the mask (OVSeg); False keeps the
            context, as the object crops a SynthWorld CLIP is pretrained and evaluated on
            (``box_scale=1.2, square_crop=True``). Defaults to True.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> clf = MaskCLIPClassifier(clip=dict(type='MaskPromptViT', model_name='ovseg-tiny-vit',
        ...                                    prompt_depth=2))
        >>> masks = [torch.rand(5, 40, 48)]
        >>> (logits, valid), = clf(torch.rand(1, 3, 40, 48) * 255, masks, torch.randn(7, 32))
        >>> tuple(logits.shape), tuple(valid.shape)
        ((5, 7), (5,))
    """

    def __init__(self, *, clip: dict, mode: str = 'crop', mask_threshold: float = 0.4,
                 crop_size: Optional[int] = None, chunk_size: int = 64,
                 logit_scale: float = 100.0, dense_scale: float = 1.0,
                 value_path: bool = False, box_scale: float = 1.0, square_crop: bool = False,
                 mean_fill: bool = True, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if mode not in _MODES:
            raise ValueError(f'mode must be one of {_MODES}, not {mode!r}')
        self.clip = ROOT_MODELS.build(clip)
        if mode == 'single_pass' and not getattr(self.clip, 'with_embeddings', False):
            raise ValueError("mode='single_pass' needs a tower built with with_embeddings=True")
        self.mode = mode
        self.mask_threshold = mask_threshold
        image_size = self.clip.visual.image_size
        self.crop_size = crop_size or (image_size if isinstance(image_size, int) else image_size[0])
        self.chunk_size = chunk_size
        self.logit_scale = logit_scale
        self.dense_scale = dense_scale
        self.value_path = value_path
        if box_scale <= 0:
            raise ValueError(f'box_scale must be > 0, got {box_scale}')
        self.crop_options = dict(box_scale=box_scale, square=square_crop, mean_fill=mean_fill)
        if value_path and not hasattr(self.clip, 'forward_dense'):
            raise ValueError('value_path=True needs a MaskPromptViT tower')

    @property
    def stride(self) -> int:
        """Pixels per dense position: the ViT patch size, 32 for a ResNet."""
        return getattr(self.clip, 'patch_size', 32)

    @property
    def embed_dim(self) -> int:
        """D, the joint embedding size."""
        return self.clip.embed_dim

    def forward(self, images: Tensor, masks: Sequence[Tensor], class_embeddings: Tensor,
                image_sizes: Optional[Sequence[Tuple[int, int]]] = None
                ) -> List[Tuple[Tensor, Tensor]]:
        """Class logits of every mask.

        Args:
            images (Tensor): (B, 3, H, W) RGB 0-255, padded at the bottom/right.
            masks (Sequence[Tensor]): B tensors (Q_b, H, W), soft masks in [0, 1].
            class_embeddings (Tensor): (K, D), L2-normalised over D.
            image_sizes (Sequence[tuple[int, int]], optional): unpadded (h, w) per image.
                Defaults to None (the whole input).

        Returns:
            list[tuple[Tensor, Tensor]]: per image, logits (Q_b, K) (``logit_scale`` x
            cosine; 0 for invalid masks) and validity (Q_b,) bool.
        """
        outputs = []
        for regions, valid in self.embed_regions(images, masks, image_sizes):
            logits = self.logit_scale * regions @ class_embeddings.t().to(regions.dtype)  # (Q_b, K)
            outputs.append((logits, valid))
        return outputs

    def embed_regions(self, images: Tensor, masks: Sequence[Tensor],
                      image_sizes: Optional[Sequence[Tuple[int, int]]] = None
                      ) -> List[Tuple[Tensor, Tensor]]:
        """Region embeddings of every mask (arguments as :meth:`forward`).

        Returns:
            list[tuple[Tensor, Tensor]]: per image, embeddings (Q_b, D), L2-normalised over
            D with zero rows for invalid masks, and validity (Q_b,) bool.
        """
        if image_sizes is None:
            image_sizes = [tuple(images.shape[-2:])] * images.shape[0]
        if self.mode == 'crop':
            return self._embed_crops(images, masks, image_sizes)
        return self._embed_single_pass(images, masks, image_sizes)

    def _embed_crops(self, images: Tensor, masks: Sequence[Tensor],
                     image_sizes: Sequence[Tuple[int, int]]) -> List[Tuple[Tensor, Tensor]]:
        crops, region_masks, valids = [], [], []
        for image, image_masks, (h, w) in zip(images, masks, image_sizes):
            out = crop_masked_regions(image[:, :h, :w], image_masks[:, :h, :w],
                                      size=self.crop_size, mask_threshold=self.mask_threshold,
                                      **self.crop_options)
            crops.append(out.crops)
            region_masks.append(out.region_masks)
            valids.append(out.valid)
        crops = torch.cat(crops)  # (N, 3, S, S), N valid crops of the batch
        region_masks = torch.cat(region_masks)  # (N, S, S)
        embeddings = [masked_tower_embed(self.clip, crops[i:i + self.chunk_size],
                                         region_masks[i:i + self.chunk_size])
                      for i in range(0, crops.shape[0], self.chunk_size)]
        embeddings = (F.normalize(torch.cat(embeddings), dim=-1) if embeddings
                      else images.new_zeros(0, self.embed_dim))  # (N, D)
        outputs, start = [], 0
        for valid in valids:
            regions = embeddings.new_zeros(valid.shape[0], embeddings.shape[1])  # (Q_b, D)
            count = int(valid.sum())
            regions[valid] = embeddings[start:start + count]
            start += count
            outputs.append((regions, valid))
        return outputs

    def _embed_single_pass(self, images: Tensor, masks: Sequence[Tensor],
                           image_sizes: Sequence[Tuple[int, int]]) -> List[Tuple[Tensor, Tensor]]:
        x = normalize_image(images.float())  # (B, 3, H, W)
        keep = torch.zeros_like(x[:, :1])
        for i, (h, w) in enumerate(image_sizes):
            keep[i, :, :h, :w] = 1
        x = x * keep  # padding becomes the mean pixel, as crop mode's fill
        if self.dense_scale != 1:
            x = F.interpolate(x, scale_factor=self.dense_scale, mode='bilinear',
                              align_corners=False)
        scaled_size = x.shape[-2:]
        stride = self.stride
        x = F.pad(x, (0, -x.shape[-1] % stride, 0, -x.shape[-2] % stride))
        if hasattr(self.clip, 'forward_dense'):
            dense = self.clip.forward_dense(x, value_path=self.value_path)  # (B, D, h, w)
        else:
            dense = self.clip(x)[-1][1]  # (B, D, h, w)
        outputs = []
        for b, image_masks in enumerate(masks):
            binary, valid = binarize_masks(image_masks, self.mask_threshold)  # (Q, H, W)
            binary = binary.to(dense.dtype)
            if self.dense_scale != 1 and binary.shape[0]:
                binary = F.interpolate(binary[:, None], size=scaled_size, mode='bilinear',
                                       align_corners=False)[:, 0]
            regions = mask_pool(dense[b], binary, stride=stride)  # (Q, D)
            outputs.append((regions * valid[:, None].to(regions.dtype), valid))
        return outputs
