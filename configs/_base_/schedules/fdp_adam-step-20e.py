# FDP's optimisation as released (Sec. 4.1 / its main.py): batch 48, 20 epochs, Adam (betas
# 0.9/0.98, eps 1e-6, weight decay 1e-3); lr 2e-3 for the prompts, probe and `binarize`, 1e-4
# (x0.05) for the pool's positional embedding and the v / c projections; x0.1 every 10 epochs.
# CLIP itself is frozen (requires_grad=False).
max_epochs = 20
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[10],
         gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-3, betas=(0.9, 0.98), eps=1e-6, weight_decay=1e-3),
    paramwise_cfg=dict(
        custom_keys={
            'masked_pool.positional_embedding': dict(lr_mult=0.05),
            'score_head.v_proj': dict(lr_mult=0.05),
            'score_head.c_proj': dict(lr_mult=0.05),
        }))
