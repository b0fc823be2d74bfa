_base_ = './denseclip-retinanet_r50.py'
# DenseCLIP RetinaNet on the SynthWorld CLIP 'synthworld-vit-s' (ViT 6x192, patch 16, D=128):
# blocks 1/2/3/5 -> strides 4-32, score map / tau at stride 16 (score_concat_index=2), 64-wide
# FPN and head, anchors from 16 px (160 px images). 14 thing classes.
clip_name = 'synthworld-vit-s'
# SynthWorld ViT CLIP weights, written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
#       --work-dir work_dirs/synthclip-vit-s
clip_weights = 'synthworld-vit-s'
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
    neck=dict(in_channels=None, out_channels=64),  # filled in: [192, 192, 192 + 14, 192]
    bbox_head=dict(
        num_classes=14, in_channels=64, feat_channels=64,
        anchor_generator=dict(octave_base_scale=2)))
