# Plain "CLIP + FPN" baseline of DenseCLIP: CLIP RN50 trunk (attention pool unused),
# FPN + FPNHead, no text. denseclip_r50.py adds the text parts on top.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # reverted to BN by the Runner without DDP
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094],  # CLIP statistics, RGB
    std=[68.501, 66.632, 70.323],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='CLIPResNet', model_name='RN50-quickgelu', pretrained='openai', image_size=512),
    neck=dict(
        type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=4,
        init_cfg=None),
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
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
