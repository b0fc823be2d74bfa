_base_ = [
    '../_base_/models/ovseg_mask-adapted-clip_synthclip-vit-s.py',
    '../_base_/datasets/masked-regions_synthworld-96.py', '../_base_/default_runtime.py'
]
# Mask prompt tuning (OVSeg Sec. 3.3) of the SynthWorld CLIP on mined caption pairs: only the
# depth-3 prompts (and the logit scale) learn; AdamW lr 2e-2 (paper; the released script uses
# 0.05), no weight decay, 100 warm-up iterations then cosine, 5 epochs. Writes
# work_dir/mask_adapted_clip.pt, registered as 'synthworld-vit-s-mask-adapted-mpt' for the
# ovseg_gt-masks_*-mpt config.
max_epochs = 5
model = dict(trainable='prompt')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-2, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
log_processor = dict(by_epoch=True)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=max_epochs),
    logger=dict(interval=20, log_metric_by_epoch=True))
custom_hooks = [
    dict(type='VocabularyHook'),
    dict(type='ExportCLIPHook', filename='mask_adapted_clip.pt', name='synthworld-vit-s-mask-adapted-mpt'),
]
