# FDP's optimisation (Sec. 4.1 of the paper / its main.py) on a CPU budget: Adam (betas 0.9/0.98,
# eps 1e-6, weight decay 1e-3) at lr 2e-3 for the prompts, probe and `binarize`; 1e-4 (x0.05)
# for the pool's positional embedding and the v / c projections; x0.1 halfway (FDP: every 10 of
# 20 epochs). CLIP itself is frozen (requires_grad=False).
max_iters = 300
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[max_iters // 2],
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
