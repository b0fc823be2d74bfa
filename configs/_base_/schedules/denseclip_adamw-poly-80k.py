# DenseCLIP ADE20K schedule: AdamW 1e-4, wd 1e-4, 1500-iter linear warmup then poly (0.9)
# to 1e-6, 80k iterations, batch 32 (8 GPUs x 4); backbone lr x0.1, text encoder lr 0
# (and frozen by requires_grad=False, so the absolute eta_min cannot move it).
optimizer = dict(type='AdamW', lr=1e-4, weight_decay=1e-4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'text_encoder': dict(lr_mult=0.0),
            'norm': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=1500, end=80000),
]
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=80000, val_interval=8000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# checkpoints every 8k iterations: set default_hooks.checkpoint.interval in the top config
# (default_runtime.py owns default_hooks; bases may not both define it)
auto_scale_lr = dict(enable=False, base_batch_size=32)
# the baselines' unused attention pool (and any frozen branch) needs this under DDP
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
# the original converts the backbone's BatchNorms to SyncBN (its heads already use SyncBN);
# mmengine converts every BN under DDP and reverts SyncBN to BN in single-process runs
sync_bn = 'torch'
