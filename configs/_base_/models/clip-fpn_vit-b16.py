_base_ = './clip-fpn_r50.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name='ViT-B-16-quickgelu',
        pretrained='openai',
        image_size=640,
        out_indices=(3, 5, 7, 11),
        pyramid=True,
        drop_path_rate=0.1),  # stochastic depth, as DenseCLIP's ViT-B/16 baseline
    neck=dict(in_channels=[768, 768, 768, 768]))
