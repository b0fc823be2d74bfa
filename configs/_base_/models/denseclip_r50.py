# DenseCLIP segmentor, CLIP RN50 (https://arxiv.org/abs/2112.01518): score map at C5,
# FPN + FPNHead, pixel-text (identity) loss weight 0.4, tau 0.07, 8 contexts + 5 name tokens.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # reverted to BN by the Runner without DDP
clip_name = 'RN50-quickgelu'
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094],  # CLIP statistics, RGB
    std=[68.501, 66.632, 70.323],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='DenseCLIPSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='CLIPResNet',
        model_name=clip_name,
        pretrained='openai',
        image_size=512,  # attention-pool grid 16x16, as the original input_resolution=512
        with_embeddings=True),
    text_encoder=dict(
        type='OVCLIPTextEncoder', model_name=clip_name, pretrained='openai', freeze=True),
    context_decoder=dict(
        type='ContextDecoder',
        transformer_width=256,
        transformer_heads=4,
        transformer_layers=3,
        dropout=0.1),
    context_length=8,
    text_length=13,
    score_concat_index=3,
    tau=0.07,
    # in_channels are filled in by the segmentor: [256, 512, 1024, 2048 + num_classes]
    neck=dict(type='FPN', out_channels=256, num_outs=4, init_cfg=None),
    decode_head=dict(
        type='FPNHead',
        in_channels=[256, 256, 256, 256],
        in_index=[0, 1, 2, 3],
        feature_strides=[4, 8, 16, 32],
        channels=256,
        dropout_ratio=0.1,
        num_classes=150,
        norm_cfg=norm_cfg,
        align_corners=False,
        # the original never ran mmseg's init_cfgs (no model.init_weights()); keep that
        init_cfg=None,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    identity_head=dict(
        type='IdentityHead',
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
