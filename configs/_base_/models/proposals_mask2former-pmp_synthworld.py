# PMP on SynthWorld (CPU, minutes): ProposalSegmentor = open-vocabulary Mask2Former proposals
# (ResNet-18 at width 16 from scratch, 16 queries, 3 decoder layers at width 64) classified by
# cosine with the SynthWorld CLIP text embeddings (D=128), the queries attending to the asked
# classes in every decoder layer (placement switch: 'after_cross', 'after_self', 'before_cross',
# 'none' = plain open-vocabulary Mask2Former).
clip_name = 'synthworld-vit-s'
# SynthWorld ViT CLIP weights (object names + masked regions), written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-vit-s-regions
clip_weights = 'synthworld-vit-s-regions'
embed_dim = 128
feat = 64
attn = dict(embed_dims=feat, num_heads=4, attn_drop=0.0, proj_drop=0.0, dropout_layer=None,
            batch_first=True)
model = dict(
    type='ProposalSegmentor',
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=None, std=None, bgr_to_rgb=True, pad_val=0,
        seg_pad_val=255, size_divisor=32),
    text_classifier=dict(
        type='TextClassifier',
        text_encoder=dict(type='OVCLIPTextEncoder', model_name=clip_name,
                          pretrained=clip_weights),
        templates='synthworld'),
    proposal_generator=dict(
        type='MaskFormerProposalGenerator',
        backbone=dict(type='ResNet', depth=18, stem_channels=16, base_channels=16,
                      out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN', requires_grad=True)),
        num_sampled_classes=None,
        head=dict(
            type='PromptGuidedMask2FormerHead',
            placement='after_cross',
            embed_dim=embed_dim,
            class_embed_hidden=256,
            in_channels=[16, 32, 64, 128],
            strides=[4, 8, 16, 32],
            feat_channels=feat,
            out_channels=feat,
            num_queries=16,
            num_transformer_feat_level=3,
            align_corners=False,
            pixel_decoder=dict(
                type='mmdet.MSDeformAttnPixelDecoder',
                num_outs=3,
                norm_cfg=dict(type='GN', num_groups=16),
                act_cfg=dict(type='ReLU'),
                encoder=dict(
                    num_layers=1,
                    layer_cfg=dict(
                        self_attn_cfg=dict(embed_dims=feat, num_heads=4, num_levels=3,
                                           num_points=4, im2col_step=64, dropout=0.0,
                                           batch_first=True, norm_cfg=None, init_cfg=None),
                        ffn_cfg=dict(embed_dims=feat, feedforward_channels=256, num_fcs=2,
                                     ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))),
                    init_cfg=None),
                positional_encoding=dict(num_feats=feat // 2, normalize=True),
                init_cfg=None),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=feat // 2, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True,
                num_layers=3,
                layer_cfg=dict(
                    self_attn_cfg=attn,
                    cross_attn_cfg=attn,
                    ffn_cfg=dict(embed_dims=feat, feedforward_channels=256, num_fcs=2,
                                 act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0.0,
                                 dropout_layer=None, add_identity=True)),
                init_cfg=None),
            loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=2.0,
                          reduction='mean'),
            loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True, reduction='mean',
                           loss_weight=5.0),
            loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                           reduction='mean', naive_dice=True, eps=1.0, loss_weight=5.0),
            train_cfg=dict(
                num_points=1024,
                oversample_ratio=3.0,
                importance_sample_ratio=0.75,
                assigner=dict(
                    type='mmdet.HungarianAssigner',
                    match_costs=[
                        dict(type='mmdet.ClassificationCost', weight=2.0),
                        dict(type='mmdet.CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                        dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0),
                    ]),
                sampler=dict(type='mmdet.MaskPseudoSampler')))))
