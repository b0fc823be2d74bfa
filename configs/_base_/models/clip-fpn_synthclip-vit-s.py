_base_ = './clip-fpn_r50.py'
# Plain CLIP + FPN baseline on the SynthWorld CLIP (see denseclip_synthclip-vit-s.py).
# SynthWorld ViT CLIP weights, written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
#       --work-dir work_dirs/synthclip-vit-s
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name='synthworld-vit-s',
        pretrained='synthworld-vit-s',
        out_indices=(1, 2, 3, 5),
        pyramid=True),
    neck=dict(in_channels=[192] * 4, out_channels=64),
    decode_head=dict(in_channels=[64] * 4, channels=64, num_classes=21))
