_base_ = './denseclip_r50-clip_fpn_8xb4-80k_ade20k-512x512.py'
model = dict(
    backbone=dict(model_name='RN101-quickgelu'),
    text_encoder=dict(model_name='RN101-quickgelu'))
