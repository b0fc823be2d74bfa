# FDP's optimisation as released (Sec. 4.1 / its main.py), by epochs: batch 48 (the config's),
# 20 epochs, x0.1 every 10; the optimiser and its learning rates are those of the SynthWorld
# schedule (Adam, betas 0.9/0.98, eps 1e-6, weight decay 1e-3; lr 2e-3, x0.05 for the pool's
# positional embedding and the v / c projections). CLIP itself is frozen.
_base_ = './fdp_adam-step-300.py'
max_iters = None  # the base's iteration schedule is replaced by epochs
max_epochs = 20
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=10)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[10],
         gamma=0.1),
]
