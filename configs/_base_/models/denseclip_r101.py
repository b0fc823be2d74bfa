_base_ = './denseclip_r50.py'
# CLIP RN101: joint width 512 (context decoder and gamma follow the text encoder).
clip_name = 'RN101-quickgelu'
model = dict(
    backbone=dict(model_name=clip_name),
    text_encoder=dict(model_name=clip_name))
