_base_ = './clip-fpn_r50.py'
# Plain CLIP + FPN baseline on the SynthWorld RN CLIP (see denseclip_synthclip-rn-s.py).
model = dict(
    backbone=dict(
        model_name='synthworld-rn-s',
        pretrained='synthworld-rn-s',  # make quickstart
        image_size=128),
    neck=dict(in_channels=[96, 192, 384, 768], out_channels=64),
    decode_head=dict(in_channels=[64] * 4, channels=64, num_classes=21))
