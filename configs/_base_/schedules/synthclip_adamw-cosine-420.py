# The quickstart's CLIP pretraining budget (under 10 min on 2 cores): the 600-iteration schedule's
# AdamW at peak lr 2e-3, 50 warm-up iterations and a cosine decay to 0 at 420; one checkpoint and
# one zero-shot validation, at the end (configs set the checkpoint interval to max_iters).
_base_ = './synthclip_adamw-cosine-600.py'
max_iters = 420
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=50, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
