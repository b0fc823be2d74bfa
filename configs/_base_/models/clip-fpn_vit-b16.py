_base_ = './clip-fpn_r50.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name='ViT-B-16-quickgelu',
        pretrained='openai',
        image_size=640,
        out_indices=(3, 5, 7, 11),
        pyramid=True),
    neck=dict(in_channels=[768, 768, 768, 768]))
