# DenseCLIP COCO 1x schedule: 12 epochs, AdamW (lr 1e-4 RetinaNet / 2e-4 Mask R-CNN, wd 1e-4),
# 500-iter linear warmup (0.001), x0.1 at epochs 8 and 11, grad clip 0.1; backbone lr x0.1,
# text encoder frozen; batch 16 (8 GPUs x 2).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'text_encoder': dict(lr_mult=0.0),
            'norm': dict(decay_mult=0.0),
        }))
auto_scale_lr = dict(enable=False, base_batch_size=16)
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
# the original trains the backbone's BatchNorms as SyncBN (reverted to BN without DDP)
sync_bn = 'torch'
