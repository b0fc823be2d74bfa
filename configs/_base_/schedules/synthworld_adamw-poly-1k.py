# Short CPU schedule for SynthWorld heads: DenseCLIP's optimizer (AdamW, backbone lr x0.1, text
# encoder frozen, no weight decay on decoder norms) at lr 2e-4, 100-iter warmup, poly to 1e-6
# over 1,000 iterations of batch 8.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'text_encoder': dict(lr_mult=0.0),
            'norm': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=100),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=100, end=1000),
]
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=1000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
