_base_ = [
    '../_base_/models/ovseg_synthclip-vit-s.py', '../_base_/datasets/synthworld_seg.py',
    '../_base_/default_runtime.py'
]
# OVSeg stage 2 alone on SynthWorld val (160 px): ground-truth masks as proposals (the paper's
# "GT masks + CLIP" bottleneck setting), the SynthWorld CLIP in crop mode with mean fill.
# Zero-shot, nothing to train (no checkpoint: the weights come from `pretrained`):
#   python tools/test.py THIS_CONFIG
train_dataloader = None  # zero-shot: evaluation only
val_dataloader = dict(batch_size=4, num_workers=2)
test_dataloader = val_dataloader
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
