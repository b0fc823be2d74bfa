# CLIP-Attr step I's optimiser (OvarNet's released config): AdamW lr 1e-4, wd 5e-4, grad clip
# 35, text tower at lr x0.1, linear warm-up over 2000 iterations from x0.1, 60 epochs with x0.1
# steps at epochs 35 and 50.
max_epochs = 60
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2000),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[35, 50],
         gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2),
    paramwise_cfg=dict(custom_keys={'text_encoder': dict(lr_mult=0.1)}))
