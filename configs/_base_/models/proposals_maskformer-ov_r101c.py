# OVSeg's stage 1 (R101c variant): MaskFormer on a DeepLab-stem ResNet-101 (multi-grid 1/2/4 in
# res5), FPN pixel decoder (GN, 256), 6-layer DETR decoder (8 heads, FFN 2048, dropout 0.1), 100
# queries classified by an MLP (256 -> 1024 -> 512) with 100 x cosine against frozen CLIP ViT-B/16
# text embeddings (14 ViLD templates) plus a learned no-object embedding. Losses: CE (no-object
# 0.1), focal 20, dice 1; matching costs 1 / 20 / 1; every decoder layer supervised.
clip_name = 'ViT-B-16-quickgelu'
embed_dim = 512
norm_cfg = dict(type='SyncBN', requires_grad=True)
attn = dict(embed_dims=256, num_heads=8, attn_drop=0.1, proj_drop=0.1, dropout_layer=None,
            batch_first=True)
model = dict(
    type='ProposalSegmentor',
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=None, std=None, bgr_to_rgb=True, pad_val=0,
        seg_pad_val=255, size=(512, 512), test_cfg=dict(size_divisor=32)),
    text_classifier=dict(
        type='TextClassifier',
        text_encoder=dict(type='OVCLIPTextEncoder', model_name=clip_name, pretrained='openai'),
        templates='vild'),
    proposal_generator=dict(
        type='MaskFormerProposalGenerator',
        backbone=dict(
            type='ResNetV1c',
            depth=101,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            dilations=(1, 1, 1, 1),
            strides=(1, 2, 2, 2),
            multi_grid=(1, 2, 4),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True,
            init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')),
        head=dict(
            type='OpenVocabMaskFormerHead',
            embed_dim=embed_dim,
            class_embed_hidden=1024,
            class_embed_layers=2,
            logit_scale=100.0,
            no_object_weight=0.1,
            in_channels=[256, 512, 1024, 2048],
            feat_channels=256,
            out_channels=256,
            num_queries=100,
            pixel_decoder=dict(type='mmdet.PixelDecoder', norm_cfg=dict(type='GN', num_groups=32),
                               act_cfg=dict(type='ReLU')),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=128, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True,
                num_layers=6,
                layer_cfg=dict(
                    self_attn_cfg=attn,
                    cross_attn_cfg=attn,
                    ffn_cfg=dict(embed_dims=256, feedforward_channels=2048, num_fcs=2,
                                 act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0.1,
                                 dropout_layer=None, add_identity=True)),
                init_cfg=None),
            loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                          reduction='mean'),
            loss_mask=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                           reduction='mean', loss_weight=20.0),
            loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                           reduction='mean', naive_dice=True, eps=1.0, loss_weight=1.0),
            train_cfg=dict(
                assigner=dict(
                    type='mmdet.HungarianAssigner',
                    match_costs=[
                        dict(type='mmdet.ClassificationCost', weight=1.0),
                        dict(type='mmdet.FocalLossCost', weight=20.0, binary_input=True),
                        dict(type='mmdet.DiceCost', weight=1.0, pred_act=True, eps=1.0),
                    ]),
                sampler=dict(type='mmdet.MaskPseudoSampler')))))
