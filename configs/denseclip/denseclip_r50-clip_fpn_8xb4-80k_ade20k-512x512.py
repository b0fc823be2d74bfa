_base_ = [
    '../_base_/models/denseclip_r50.py', '../_base_/datasets/ade20k_clip-512x512.py',
    '../_base_/default_runtime.py', '../_base_/schedules/denseclip_adamw-poly-80k.py'
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(341, 341)))
default_hooks = dict(checkpoint=dict(interval=8000))
