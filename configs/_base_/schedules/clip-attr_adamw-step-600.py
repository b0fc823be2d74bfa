# CLIP-Attr step I's optimiser (AdamW, wd 5e-4, grad clip 35, text tower at lr x0.1, linear
# warm-up, two x0.1 steps) shortened for SynthWorld on the CPU: 600 iterations, peak lr 2e-3
# (the released 1e-4 is for 60 VAW epochs; not tuned here).
max_iters = 600
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[350, 500],
         gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2),
    paramwise_cfg=dict(custom_keys={'text_encoder': dict(lr_mult=0.1)}))
