_base_ = [
    '../_base_/models/ovseg_mask-adapted-clip_vit-b16.py',
    '../_base_/datasets/masked-regions_coco-captions-224.py', '../_base_/default_runtime.py'
]
# OVSeg's full fine-tuning of CLIP ViT-B/16 on COCO caption pairs (coco_proposal_1cap): AdamW
# lr 5e-6, weight decay 0.2, 100 warm-up iterations then cosine, 5 epochs, batch 4 x 128 (the
# released ViT-B script; the paper says 1024), AMP (tools/train.py --amp). Validation: zero-shot
# top-1 on ADE20K-150 GT regions. Writes work_dir/mask_adapted_clip.pt.
max_epochs = 5
model = dict(trainable='image')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-6, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.2),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'logit_scale': dict(decay_mult=0.0),
                                    'positional_embedding': dict(decay_mult=0.0),
                                    'class_embedding': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
log_processor = dict(by_epoch=True)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=1, max_keep_ckpts=5),
    logger=dict(interval=50, log_metric_by_epoch=True))
custom_hooks = [
    dict(type='VocabularyHook'),
    dict(type='ExportCLIPHook', filename='mask_adapted_clip.pt'),
]
auto_scale_lr = dict(enable=False, base_batch_size=512)
