_base_ = './denseclip-mask-rcnn_r50.py'
# DenseCLIP Mask R-CNN on the SynthWorld CLIP (see denseclip-retinanet_synthclip-vit-s.py).
clip_name = 'synthworld-vit-s'
# SynthWorld ViT CLIP weights, written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
#       --work-dir work_dirs/synthclip-vit-s
clip_weights = 'synthworld-vit-s'
width = 64
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name=clip_name,
        pretrained=clip_weights,
        out_indices=(1, 2, 3, 5),
        pyramid=True,
        with_embeddings=True),
    text_encoder=dict(model_name=clip_name, pretrained=clip_weights),
    context_decoder=dict(transformer_width=64, transformer_heads=4),
    text_length=16,
    score_concat_index=2,
    neck=dict(in_channels=None, out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width,
                  anchor_generator=dict(scales=[4])),  # anchors from 16 px (160 px images)
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(in_channels=width, fc_out_channels=256, num_classes=14),
        mask_roi_extractor=dict(out_channels=width),
        mask_head=dict(in_channels=width, conv_out_channels=width, num_classes=14)),
    train_cfg=dict(rpn=dict(sampler=dict(num=128)), rcnn=dict(sampler=dict(num=128))))
