"""Tiny configs of the trainable proposal heads (CPU, seconds)."""
import copy

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

EMBED_DIM = 32  # D of the tiny CLIP (ovseg-tiny-vit)
FEAT = 32


def tiny_backbone_cfg() -> dict:
    return dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN', requires_grad=True))


def tiny_loss_cfgs() -> dict:
    return dict(
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=2.0,
                      reduction='mean'),
        loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True, reduction='mean',
                       loss_weight=5.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                       reduction='mean', naive_dice=True, eps=1.0, loss_weight=5.0))


def _tiny_decoder_cfgs(*, num_layers: int) -> dict:
    """The transformer decoder (and its positional encoding) of both tiny heads."""
    attn = dict(embed_dims=FEAT, num_heads=2, attn_drop=0.0, proj_drop=0.0,
                dropout_layer=None, batch_first=True)
    return dict(
        enforce_decoder_input_project=False,
        positional_encoding=dict(num_feats=FEAT // 2, normalize=True),
        transformer_decoder=dict(
            return_intermediate=True, num_layers=num_layers,
            layer_cfg=dict(self_attn_cfg=copy.deepcopy(attn), cross_attn_cfg=copy.deepcopy(attn),
                           ffn_cfg=dict(embed_dims=FEAT, feedforward_channels=64, num_fcs=2,
                                        act_cfg=dict(type='ReLU', inplace=True),
                                        ffn_drop=0.0, dropout_layer=None, add_identity=True)),
            init_cfg=None))


def tiny_mask2former_head_cfg(head_type: str = 'OpenVocabMask2FormerHead', **extra) -> dict:
    cfg = dict(
        type=head_type, embed_dim=EMBED_DIM, class_embed_hidden=64,
        in_channels=[8, 16, 32, 64], strides=[4, 8, 16, 32], feat_channels=FEAT,
        out_channels=FEAT, num_queries=6, num_transformer_feat_level=3, align_corners=False,
        pixel_decoder=dict(
            type='mmdet.MSDeformAttnPixelDecoder', num_outs=3,
            norm_cfg=dict(type='GN', num_groups=8), act_cfg=dict(type='ReLU'),
            encoder=dict(num_layers=1, layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=FEAT, num_heads=2, num_levels=3, num_points=2,
                                   im2col_step=64, dropout=0.0, batch_first=True,
                                   norm_cfg=None, init_cfg=None),
                ffn_cfg=dict(embed_dims=FEAT, feedforward_channels=64, num_fcs=2,
                             ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))),
                init_cfg=None),
            positional_encoding=dict(num_feats=FEAT // 2, normalize=True), init_cfg=None),
        **_tiny_decoder_cfgs(num_layers=3),
        train_cfg=dict(
            num_points=256, oversample_ratio=3.0, importance_sample_ratio=0.75,
            assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
                dict(type='mmdet.ClassificationCost', weight=2.0),
                dict(type='mmdet.CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0)]),
            sampler=dict(type='mmdet.MaskPseudoSampler')),
        **tiny_loss_cfgs())
    cfg.update(extra)
    return cfg


def tiny_maskformer_head_cfg() -> dict:
    cfg = dict(
        type='OpenVocabMaskFormerHead', embed_dim=EMBED_DIM, class_embed_hidden=64,
        in_channels=[8, 16, 32, 64], feat_channels=FEAT, out_channels=FEAT, num_queries=6,
        pixel_decoder=dict(type='mmdet.PixelDecoder', norm_cfg=dict(type='GN', num_groups=8),
                           act_cfg=dict(type='ReLU')),
        **_tiny_decoder_cfgs(num_layers=2),
        train_cfg=dict(
            assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
                dict(type='mmdet.ClassificationCost', weight=1.0),
                dict(type='mmdet.FocalLossCost', weight=20.0, binary_input=True),
                dict(type='mmdet.DiceCost', weight=1.0, pred_act=True, eps=1.0)]),
            sampler=dict(type='mmdet.MaskPseudoSampler')),
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                      reduction='mean'),
        loss_mask=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                       reduction='mean', loss_weight=20.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                       reduction='mean', naive_dice=True, eps=1.0, loss_weight=1.0))
    return cfg


def seg_samples(batch: int, size: int, num_classes: int, seed: int = 0) -> list:
    """Samples with random blocky label maps (labels < num_classes, some 255)."""
    gen = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(batch):
        label = torch.randint(0, num_classes, (1, 4, 4), generator=gen)
        label = label.repeat_interleave(size // 4, 1).repeat_interleave(size // 4, 2)
        label[:, :2, :] = 255
        sample = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    return samples


def build_generator(head: dict, **kwargs):
    """A MaskFormerProposalGenerator on the tiny backbone, weights seeded with 0."""
    import ovseg.models  # noqa: F401  (registers the generator)
    torch.manual_seed(0)
    return MODELS.build(dict(type='MaskFormerProposalGenerator', backbone=tiny_backbone_cfg(),
                             head=head, **kwargs))


def text_embeddings(num: int, seed: int = 0) -> torch.Tensor:
    """(num, EMBED_DIM) random L2-normalised class embeddings."""
    return F.normalize(torch.randn(num, EMBED_DIM, generator=torch.Generator().manual_seed(seed)),
                       dim=-1)
