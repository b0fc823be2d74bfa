_base_ = './clip-fpn_r50.py'
model = dict(backbone=dict(model_name='RN101-quickgelu'))
