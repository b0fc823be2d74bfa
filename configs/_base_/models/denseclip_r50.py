_base_ = './clip-fpn_r50.py'
# DenseCLIP segmentor, CLIP RN50 (https://arxiv.org/abs/2112.01518): score map at C5,
# FPN + FPNHead, pixel-text (identity) loss weight 0.4, tau 0.07, 8 contexts + 5 name tokens.
# The CLIP + FPN baseline's data preprocessing, backbone and decode head, plus the text parts.
clip_name = 'RN50-quickgelu'
model = dict(
    type='DenseCLIPSegmentor',
    backbone=dict(
        model_name=clip_name,
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
    # No padding to multiples of 32 at test time, as the original (its ViT's patch convolution
    # drops the remainder pixels); only sides shorter than 32 px are padded (min_side).
    size_divisor=None,
    # in_channels are filled in by the segmentor: [256, 512, 1024, 2048 + num_classes]
    neck=dict(_delete_=True, type='FPN', out_channels=256, num_outs=4, init_cfg=None),
    identity_head=dict(
        type='IdentityHead',
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)))
