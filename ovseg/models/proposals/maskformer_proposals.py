"""MaskFormer / Mask2Former heads whose queries are classified against CLIP text embeddings."""
import copy
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.model import BaseModule
from mmseg.models.decode_heads import Mask2FormerHead, MaskFormerHead
from mmseg.registry import MODELS
from torch import Tensor, nn


class OpenVocabClassEmbed(BaseModule):
    """Query classifier against text embeddings plus a learned no-object embedding.

    OVSeg, Liang et al., CVPR 2023, https://arxiv.org/abs/2210.04150, Sec. 3.1 (after ZSSeg /
    SimBaseline): an MLP maps each query to a D-dim embedding; logits are ``logit_scale`` x the
    cosine with the L2-normalised class embeddings and with a learnable no-object embedding
    (normal init, std D^-0.5), appended as class K+1. The scale is fixed (100), not CLIP's.

    The class embeddings are set per call by the owning head (its ``vocabulary()`` context).

    Args:
        in_channels (int): query width C.
        embed_dim (int): text embedding size D.
        hidden_channels (int): MLP hidden width. Defaults to 1024.
        num_layers (int): MLP linear layers (ReLU between). Defaults to 2.
        logit_scale (float): multiplier of the cosines. Defaults to 100.0.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> embed = OpenVocabClassEmbed(in_channels=16, embed_dim=8, hidden_channels=32)
        >>> embed.class_embeddings = torch.randn(5, 8)
        >>> embed(torch.rand(2, 3, 16)).shape
        torch.Size([2, 3, 6])
    """

    def __init__(self, *, in_channels: int, embed_dim: int, hidden_channels: int = 1024,
                 num_layers: int = 2, logit_scale: float = 100.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        widths = [in_channels] + [hidden_channels] * (num_layers - 1) + [embed_dim]
        layers: List[nn.Module] = []
        for i, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:])):
            if i:
                layers.append(nn.ReLU(inplace=True))
            layers.append(nn.Linear(w_in, w_out))
        self.mlp = nn.Sequential(*layers)
        self.no_object_embedding = nn.Parameter(torch.randn(1, embed_dim) * embed_dim ** -0.5)
        self.logit_scale = logit_scale
        self.embed_dim = embed_dim
        self.class_embeddings: Optional[Tensor] = None

    def forward(self, queries: Tensor) -> Tensor:
        """Classify queries.

        Args:
            queries (Tensor): (..., C), e.g. (B, Q, C) or (L, B, Q, C).

        Returns:
            Tensor: (..., K+1) logits = ``logit_scale`` x cosine; last column no-object.
        """
        if self.class_embeddings is None:
            raise RuntimeError('No class embeddings: call the head with class_embeddings (K, D) '
                               'or inside head.vocabulary(class_embeddings).')
        embeddings = F.normalize(self.mlp(queries), dim=-1)  # (..., D)
        text = torch.cat([self.class_embeddings.to(embeddings), self.no_object_embedding])
        text = F.normalize(text, dim=-1)  # (K+1, D)
        return self.logit_scale * embeddings @ text.t()  # (..., K+1)


def _config_dicts(kwargs: dict) -> dict:
    """mmdet heads read nested configs by attribute; make plain dicts ``ConfigDict``."""
    return {k: ConfigDict(copy.deepcopy(v)) if isinstance(v, dict) and not isinstance(v, ConfigDict)
            else copy.deepcopy(v) for k, v in kwargs.items()}


class _OpenVocabHeadMixin:
    """Open-vocabulary classification for mmseg's MaskFormer-family heads.

    Replaces ``cls_embed`` by :class:`OpenVocabClassEmbed`; the vocabulary size K is whatever
    the class embeddings say, so ``num_classes`` (no-object label) and the CE class weights
    (``[1] * K + [no_object_weight]``) are updated per call.
    """

    def __init__(self, *, embed_dim: int, class_embed_hidden: int = 1024,
                 class_embed_layers: int = 2, logit_scale: float = 100.0,
                 no_object_weight: float = 0.1, **kwargs) -> None:
        """Build the mmseg head with one placeholder class (``num_classes`` is not needed),
        then replace its ``cls_embed``; the arguments are those of the two heads below."""
        kwargs.pop('num_classes', None)
        super().__init__(num_classes=1, **self._head_kwargs(kwargs, no_object_weight))
        self.cls_embed = OpenVocabClassEmbed(
            in_channels=self.cls_embed.in_features, embed_dim=embed_dim,
            hidden_channels=class_embed_hidden, num_layers=class_embed_layers,
            logit_scale=logit_scale)
        self.embed_dim = embed_dim
        self.no_object_weight = no_object_weight

    @staticmethod
    def _head_kwargs(kwargs: dict, no_object_weight: float) -> dict:
        kwargs = _config_dicts(kwargs)
        loss_cls = kwargs.get('loss_cls')
        if loss_cls is not None:  # placeholder; set per vocabulary in vocabulary()
            loss_cls['class_weight'] = [1.0, no_object_weight]
        return kwargs

    @contextmanager
    def vocabulary(self, class_embeddings: Tensor) -> Iterator[None]:
        """Classify against ``class_embeddings`` (K, D) inside the ``with`` block."""
        if class_embeddings.dim() != 2 or class_embeddings.shape[1] != self.embed_dim:
            raise ValueError(f'class_embeddings must be (K, {self.embed_dim}), '
                             f'got {tuple(class_embeddings.shape)}')
        num = class_embeddings.shape[0]
        weights = [1.0] * num + [self.no_object_weight]
        previous = self.cls_embed.class_embeddings
        self.cls_embed.class_embeddings = class_embeddings
        self.num_classes = self.out_channels = num
        self.class_weight = weights
        self.loss_cls.class_weight = weights
        try:
            yield
        finally:
            self.cls_embed.class_embeddings = previous

    def forward(self, x: List[Tensor], batch_data_samples: list,
                class_embeddings: Optional[Tensor] = None) -> Tuple[list, list]:
        """Per-layer class logits and mask logits (see the mmdet head's ``forward``).

        Args:
            x (list[Tensor]): backbone levels (B, C_i, H_i, W_i).
            batch_data_samples (list): samples with ``img_shape`` and ``batch_input_shape``.
            class_embeddings (Tensor, optional): (K, D); None inside :meth:`vocabulary`.

        Returns:
            tuple: per decoder layer class logits (B, Q, K+1) and mask logits (B, Q, h, w)
            (stacked (L, B, ...) tensors for MaskFormer, lists for Mask2Former).
        """
        if class_embeddings is not None:
            with self.vocabulary(class_embeddings):
                return super().forward(x, batch_data_samples)
        return super().forward(x, batch_data_samples)

    def loss(self, x: List[Tensor], batch_data_samples: list,
             class_embeddings: Tensor) -> dict:
        """MaskFormer losses (CE over K+1, mask, dice; every decoder layer) for the vocabulary.

        Args:
            x (list[Tensor]): backbone levels.
            batch_data_samples (list): samples with ``gt_sem_seg`` labels in [0, K) or ignore.
            class_embeddings (Tensor): (K, D).

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_mask``, ``loss_dice`` and ``d{i}.`` ones.
        """
        shapes = [s.metainfo.get('batch_input_shape') for s in batch_data_samples]
        batch_gt_instances, batch_img_metas = self._seg_data_to_instance_data(batch_data_samples)
        for sample, meta, shape in zip(batch_data_samples, batch_img_metas, shapes):
            if shape is not None:  # mmseg's MaskFormerHead overwrites it with img_shape
                sample.set_metainfo(dict(batch_input_shape=shape))
                meta['batch_input_shape'] = shape
        with self.vocabulary(class_embeddings):
            all_cls_scores, all_mask_preds = self(x, batch_data_samples)
            return self.loss_by_feat(all_cls_scores, all_mask_preds, batch_gt_instances,
                                     batch_img_metas)

    def predict_queries(self, x: List[Tensor], batch_data_samples: list,
                        class_embeddings: Tensor) -> Tuple[Tensor, Tensor]:
        """Last decoder layer's outputs.

        Returns:
            tuple[Tensor, Tensor]: class logits (B, Q, K+1) and mask logits (B, Q, h, w)
            at the mask-feature resolution.
        """
        all_cls_scores, all_mask_preds = self(x, batch_data_samples, class_embeddings)
        return all_cls_scores[-1], all_mask_preds[-1]


@MODELS.register_module()
class OpenVocabMaskFormerHead(_OpenVocabHeadMixin, MaskFormerHead):
    """OVSeg's stage-1 head: MaskFormer with text-embedding classification.

    MaskFormer (Cheng et al., NeurIPS 2021, https://arxiv.org/abs/2107.06278): FPN pixel
    decoder, DETR decoder on the last level, 100 queries; classification as in
    :class:`OpenVocabClassEmbed` (OVSeg Sec. 3.1). Losses and Hungarian matching are mmdet's
    ``MaskFormerHead`` ones (CE with no-object weight 0.1, focal 20, dice 1).

    ``forward(x, samples, class_embeddings): pixel_decoder -> transformer_decoder ->
    cls_embed (cosine vs text) / mask_embed``

    Args:
        embed_dim (int): text embedding size D (512 for ViT-B/16, 768 for ViT-L/14).
        class_embed_hidden (int): classifier MLP width. Defaults to 1024.
        class_embed_layers (int): classifier MLP layers. Defaults to 2.
        logit_scale (float): cosine multiplier. Defaults to 100.0.
        no_object_weight (float): CE weight of the no-object class. Defaults to 0.1.
        **kwargs: mmseg ``MaskFormerHead`` arguments (``in_channels``, ``feat_channels``,
            ``out_channels``, ``num_queries``, ``pixel_decoder``, ``transformer_decoder``,
            losses, ``train_cfg``...); ``num_classes`` is not needed.
    """


@MODELS.register_module()
class OpenVocabMask2FormerHead(_OpenVocabHeadMixin, Mask2FormerHead):
    """Mask2Former with text-embedding classification (the upgrade OVSeg's notes suggest).

    Mask2Former (Cheng et al., CVPR 2022, https://arxiv.org/abs/2112.01527): multi-scale
    deformable pixel decoder, masked cross-attention decoder with predictions after every
    layer, point-sampled losses; classification as in :class:`OpenVocabClassEmbed`.

    Args:
        embed_dim (int): text embedding size D.
        class_embed_hidden (int): classifier MLP width. Defaults to 1024.
        class_embed_layers (int): classifier MLP layers. Defaults to 2.
        logit_scale (float): cosine multiplier. Defaults to 100.0.
        no_object_weight (float): CE weight of the no-object class. Defaults to 0.1.
        **kwargs: mmseg ``Mask2FormerHead`` arguments; ``num_classes`` is not needed.
    """
