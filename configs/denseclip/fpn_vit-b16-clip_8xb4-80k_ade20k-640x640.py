_base_ = [
    '../_base_/models/clip-fpn_vit-b16.py', '../_base_/datasets/ade20k_clip-640x640.py',
    '../_base_/default_runtime.py', '../_base_/schedules/denseclip_adamw-poly-80k.py'
]
crop_size = (640, 640)
model = dict(
    data_preprocessor=dict(size=crop_size),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(426, 426)))
default_hooks = dict(checkpoint=dict(interval=8000))
