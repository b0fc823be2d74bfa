"""OvarNet's RoI head: RoIAlign features -> a small transformer with [CLS] and [REG] tokens ->
a region embedding in the text space and class-agnostic box deltas."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmcv.cnn.bricks.transformer import PatchMerging
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.registry import MODELS, TASK_UTILS
from mmdet.structures.bbox import bbox2roi, get_box_tensor
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor, nn


def _mlp(in_dims: int, out_dims: int) -> nn.Sequential:
    """Linear -> LeakyReLU -> Linear, OvarNet's output heads."""
    return nn.Sequential(nn.Linear(in_dims, in_dims), nn.LeakyReLU(inplace=True),
                         nn.Linear(in_dims, out_dims))


@MODELS.register_module()
class OvarNetRoIHead(BaseModule):
    """Transformer RoI head with learnable [CLS] and [REG] tokens (OvarNet's region encoder).

    OvarNet (https://arxiv.org/abs/2301.09506, Sec. 3.3, Fig. 2 "attentional pooling"; the
    released ``ProposalEncoder`` / ``TransformerAttrHead``): RoIAlign (mmdet
    ``SingleRoIExtractor``, 14 x 14) on the FPN levels, plus a learnable positional
    embedding; optional 2 x 2 patch merging (14 x 14 -> 7 x 7, C -> 2C, mmcv's
    ``PatchMerging``); [CLS] and [REG] tokens prepended; a post-norm transformer encoder and
    a LayerNorm. [CLS] goes through an MLP into the D-dimensional text embedding space;
    [REG] through an MLP to 4 class-agnostic box deltas (mmdet bbox coder and loss).

    ``forward(x, rois): bbox_roi_extractor() -> tokens + pos_embed -> [patch_merge] ->
    encoder([CLS], [REG], tokens) -> cls_proj([CLS]), reg_head([REG])``

    ``loss_bbox(x, proposals, samples)``: ``assigner`` / ``sampler`` per image -> ``forward``
    on the positives -> ``bbox_coder.encode`` targets -> ``loss_bbox``.

    Args:
        bbox_roi_extractor (dict): mmdet RoI extractor config; its ``out_channels`` is C.
        embed_dims (int): D, the text embedding width.
        num_layers (int): encoder layers. Defaults to 3.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN width. Defaults to 1024.
        merge_patches (bool): 2 x 2 patch merging before the encoder (the encoder width is
            then 2C). Defaults to True.
        dropout (float): dropout after the positional embedding and in the encoder.
            Defaults to 0.1.
        bbox_coder (dict): mmdet box coder. Defaults to ``DeltaXYWHBBoxCoder`` with stds
            (0.1, 0.1, 0.2, 0.2).
        loss_bbox (dict): mmdet box loss. Defaults to ``SmoothL1Loss``.
        train_cfg (dict, optional): ``assigner`` and ``sampler`` of the box regression.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> from mmengine.registry import DefaultScope
        >>> with DefaultScope.overwrite_default_scope('mmdet'):  # as detection configs
        ...     head = OvarNetRoIHead(
        ...         bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=16,
        ...             roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
        ...             featmap_strides=[4, 8]),
        ...         embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64)
        >>> feats = (torch.rand(1, 16, 16, 16), torch.rand(1, 16, 8, 8))
        >>> embeds, deltas = head(feats, torch.tensor([[0., 4., 4., 40., 30.]]))
        >>> tuple(embeds.shape), tuple(deltas.shape)
        ((1, 32), (1, 4))
    """

    def __init__(self, *, bbox_roi_extractor: dict, embed_dims: int, num_layers: int = 3,
                 num_heads: int = 8, feedforward_channels: int = 1024,
                 merge_patches: bool = True, dropout: float = 0.1,
                 bbox_coder: Optional[dict] = None, loss_bbox: Optional[dict] = None,
                 train_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.bbox_roi_extractor = MODELS.build(bbox_roi_extractor)
        channels = self.bbox_roi_extractor.out_channels
        size = self.bbox_roi_extractor.roi_layers[0].output_size
        self.roi_size: Tuple[int, int] = tuple(size) if isinstance(size, Sequence) else (size,
                                                                                        size)
        self.pos_embed = nn.Parameter(torch.zeros(1, self.roi_size[0] * self.roi_size[1],
                                                  channels))
        self.pos_drop = nn.Dropout(dropout)
        self.patch_merge = (PatchMerging(channels, 2 * channels, kernel_size=2)
                            if merge_patches else None)
        width = 2 * channels if merge_patches else channels
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.reg_token = nn.Parameter(torch.zeros(1, 1, width))
        layer = nn.TransformerEncoderLayer(width, num_heads, feedforward_channels, dropout,
                                           activation='gelu', batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.cls_proj = _mlp(width, embed_dims)
        self.reg_head = _mlp(width, 4)
        self.bbox_coder = TASK_UTILS.build(bbox_coder or dict(
            type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
            target_stds=[0.1, 0.1, 0.2, 0.2]))
        self.loss_bbox = MODELS.build(loss_bbox or dict(type='SmoothL1Loss', loss_weight=1.0))
        self.train_cfg = train_cfg
        if train_cfg is not None:
            self.assigner = TASK_UTILS.build(train_cfg['assigner'])
            self.sampler = TASK_UTILS.build(train_cfg['sampler'], default_args=dict(context=self))
        for token in (self.pos_embed, self.cls_token, self.reg_token):
            nn.init.trunc_normal_(token, std=0.02)

    def forward(self, x: Sequence[Tensor], rois: Tensor) -> Tuple[Tensor, Tensor]:
        """Region embeddings and box deltas.

        Args:
            x (Sequence[Tensor]): FPN levels (B, C, H_l, W_l); the extractor uses the first
                ``len(featmap_strides)``.
            rois (Tensor): (R, 5) batch index, x1, y1, x2, y2 in input pixels.

        Returns:
            tuple[Tensor, Tensor]: [CLS] projected to the text space (R, D), not normalised,
            and [REG] box deltas (R, 4) for ``bbox_coder``.
        """
        feats = self.bbox_roi_extractor(x[:self.bbox_roi_extractor.num_inputs], rois)
        tokens = feats.flatten(2).transpose(1, 2)  # (R, 14*14, C)
        tokens = self.pos_drop(tokens + self.pos_embed)
        if self.patch_merge is not None:
            tokens, _ = self.patch_merge(tokens, self.roi_size)  # (R, 7*7, 2C)
        num = tokens.shape[0]
        tokens = torch.cat([self.cls_token.expand(num, -1, -1),
                            self.reg_token.expand(num, -1, -1), tokens], dim=1)  # (R, 2+L, W)
        tokens = self.norm(self.encoder(tokens))  # (R, 2+L, W)
        return self.cls_proj(tokens[:, 0]), self.reg_head(tokens[:, 1])

    def sample(self, proposals: List[InstanceData],
               gt_instances: List[InstanceData]) -> List[SamplingResult]:
        """Assign and sample proposals (``bboxes`` (P_b, 4)) to the GT boxes of each image."""
        if self.train_cfg is None:
            raise RuntimeError('OvarNetRoIHead needs train_cfg (assigner, sampler) for the '
                               'box regression loss')
        results = []
        for props, gts in zip(proposals, gt_instances):
            props = InstanceData(priors=get_box_tensor(props.bboxes))
            gts = InstanceData(bboxes=get_box_tensor(gts.bboxes), labels=gts.labels)
            assign = self.assigner.assign(props, gts)
            results.append(self.sampler.sample(assign, props, gts))
        return results

    def loss_bbox_of(self, x: Sequence[Tensor], proposals: List[InstanceData],
                     gt_instances: List[InstanceData]) -> Tensor:
        """Class-agnostic box regression of the positive sampled proposals.

        Args:
            x (Sequence[Tensor]): FPN levels of the B images (B may be a subset of a batch).
            proposals (list[InstanceData]): B proposal sets, ``bboxes`` (P_b, 4).
            gt_instances (list[InstanceData]): B GT sets, ``bboxes`` (N_b, 4), ``labels``.

        Returns:
            Tensor: scalar loss (0 with a graph when no positive).
        """
        results = self.sample(proposals, gt_instances)
        rois = bbox2roi([r.pos_priors for r in results])  # (R, 5)
        if rois.shape[0] == 0:
            return sum(p.sum() for p in self.reg_head.parameters()) * 0
        _, deltas = self(x, rois)  # (R, 4)
        targets = torch.cat([self.bbox_coder.encode(r.pos_priors,
                                                    get_box_tensor(r.pos_gt_bboxes))
                             for r in results])  # (R, 4)
        return self.loss_bbox(deltas, targets, avg_factor=max(rois.shape[0], 1))
