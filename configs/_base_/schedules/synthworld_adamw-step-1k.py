# Short CPU schedule for SynthWorld detectors: DenseCLIP's detection optimizer (AdamW, backbone lr
# x0.1, text encoder frozen) at lr 2e-4 with grad clip 1.0, 100-iter warmup, x0.1 at 700 and 900.
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=1000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=1000, milestones=[700, 900], gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'text_encoder': dict(lr_mult=0.0),
            'norm': dict(decay_mult=0.0),
        }))
