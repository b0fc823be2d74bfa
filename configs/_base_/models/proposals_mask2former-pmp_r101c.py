# PMP on Mask2Former (R101c backbone as in proposals_maskformer-ov_r101c.py): multi-scale
# deformable pixel decoder, 9-layer masked-attention decoder, 100 queries, point-sampled losses
# (CE 2 with no-object 0.1, BCE 5, dice 5); queries classified against CLIP ViT-B/16 text
# embeddings and attending to the K asked classes (projected 512 -> 256) after the masked
# cross-attention of every layer (placement='none' gives the plain open-vocabulary Mask2Former).
# The MaskFormer head's classifier, widths and queries are kept; what changes is below.
_base_ = './proposals_maskformer-ov_r101c.py'
attn = dict(embed_dims=256, num_heads=8, attn_drop=0.0, proj_drop=0.0, dropout_layer=None,
            batch_first=True)
model = dict(
    proposal_generator=dict(
        head=dict(
            type='PromptGuidedMask2FormerHead',
            placement='after_cross',
            strides=[4, 8, 16, 32],
            num_transformer_feat_level=3,
            align_corners=False,
            pixel_decoder=dict(
                type='mmdet.MSDeformAttnPixelDecoder',
                num_outs=3,
                encoder=dict(
                    num_layers=6,
                    layer_cfg=dict(
                        self_attn_cfg=dict(embed_dims=256, num_heads=8, num_levels=3,
                                           num_points=4, im2col_step=64, dropout=0.0,
                                           batch_first=True, norm_cfg=None, init_cfg=None),
                        ffn_cfg=dict(embed_dims=256, feedforward_channels=1024, num_fcs=2,
                                     ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))),
                    init_cfg=None),
                positional_encoding=dict(num_feats=128, normalize=True),
                init_cfg=None),
            transformer_decoder=dict(
                num_layers=9,
                layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn,
                               ffn_cfg=dict(ffn_drop=0.0))),
            loss_cls=dict(loss_weight=2.0),
            loss_mask=dict(_delete_=True, type='mmdet.CrossEntropyLoss', use_sigmoid=True,
                           reduction='mean', loss_weight=5.0),
            loss_dice=dict(loss_weight=5.0),
            train_cfg=dict(
                num_points=12544,
                oversample_ratio=3.0,
                importance_sample_ratio=0.75,
                assigner=dict(match_costs=[
                    dict(type='mmdet.ClassificationCost', weight=2.0),
                    dict(type='mmdet.CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                    dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0),
                ])))))
