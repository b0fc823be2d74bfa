_base_ = [
    '../_base_/models/clip-fpn_synthclip-rn-s.py', '../_base_/datasets/synthworld_seg.py',
    '../_base_/default_runtime.py', '../_base_/schedules/synthworld_adamw-poly-1k.py'
]
# Plain CLIP + FPN baseline of the RN DenseCLIP SynthWorld config (same data and budget).
crop_size = (128, 128)
model = dict(data_preprocessor=dict(size=crop_size), test_cfg=dict(mode='whole'))
default_hooks = dict(checkpoint=dict(interval=500), logger=dict(interval=50))
