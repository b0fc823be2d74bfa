# CLIP-Attr step I's optimiser as released (OvarNet): the SynthWorld schedule's AdamW (wd 5e-4,
# grad clip 35, text tower at lr x0.1) at lr 1e-4, linear warm-up over 2000 iterations from
# x0.1, 60 epochs with x0.1 steps at epochs 35 and 50.
_base_ = './clip-attr_adamw-step-600.py'
max_epochs = 60
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2000),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[35, 50],
         gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=1e-4))
