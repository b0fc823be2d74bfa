_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
# DenseCLIP Mask R-CNN, CLIP RN50 (https://arxiv.org/abs/2112.01518, Sec. 4.2): score map / tau
# concatenated to C5 (2048 + 80 channels) before the FPN; box-mask pixel-text loss (loss_aux_seg).
clip_name = 'RN50-quickgelu'
model = dict(
    type='DenseCLIPMaskRCNN',
    data_preprocessor=dict(mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323]),
    backbone=dict(
        _delete_=True,
        type='CLIPResNet',
        model_name=clip_name,
        pretrained='openai',
        image_size=1344,  # attention-pool grid 42x42, as the original input_resolution=1344
        pos_embed_mode='crop',  # top-left HxW block of the 42x42 grid, as the original
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
    tau=0.07,
    score_concat_index=3,
    seg_loss_weight=1.0,
    neck=dict(in_channels=[256, 512, 1024, 2048 + 80]))
