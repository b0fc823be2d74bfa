_base_ = './fpn_r50-clip_8xb4-80k_ade20k-512x512.py'
# The original RN101 baseline config loaded RN50 weights (a bug); this one loads RN101.
model = dict(backbone=dict(model_name='RN101-quickgelu'))
