_base_ = './denseclip-mask-rcnn_r50-clip_fpn_8xb2-1x_coco.py'
model = dict(
    backbone=dict(model_name='RN101-quickgelu'), text_encoder=dict(model_name='RN101-quickgelu'))
