# CLIP pretraining schedule of the SynthWorld ViT: a ViT from scratch learns shapes far more
# slowly than the ResNet (no convolutional prior; DeiT, Touvron et al., ICML 2021): at the
# ResNet's lr 2e-3 its loss stays flat for 420 iterations, at 5e-4 (with DeiT's weight decay
# 0.05 and a longer warm-up) it starts learning after ~250.
# AdamW as synthclip_adamw-cosine-600.py, 100 warm-up iterations, cosine decay to 0 at 1,000;
# one checkpoint and one zero-shot validation, at the end.
_base_ = './synthclip_adamw-cosine-600.py'
max_iters = 1000
optim_wrapper = dict(optimizer=dict(lr=5e-4, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=100, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
