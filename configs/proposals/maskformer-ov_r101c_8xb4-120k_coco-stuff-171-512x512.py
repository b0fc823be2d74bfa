_base_ = [
    '../_base_/models/proposals_maskformer-ov_r101c.py',
    '../_base_/datasets/coco-stuff-171_ov.py', '../_base_/default_runtime.py'
]
# OVSeg stage 1 (R101c): open-vocabulary MaskFormer trained on COCO-Stuff-171 with frozen CLIP
# ViT-B/16 text embeddings; batch 32 (8 x 4), 120k iterations, AdamW lr 2e-4, weight decay 1e-4,
# backbone lr x 0.1, whole-model gradient clipping at L2 norm 0.01, 1,500-iteration linear warmup
# then poly. Validation on COCO-Stuff-171 gives OVSeg's "MaskFormer only" number; the
# two-stage segmentor adds the masked-crop CLIP ensemble.
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(custom_keys={
        'proposal_generator.backbone': dict(lr_mult=0.1),
        'norm': dict(decay_mult=0.0),
        'query_embed': dict(decay_mult=0.0),
        'no_object_embedding': dict(decay_mult=0.0),
    }))
max_iters = 120000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=1500, end=max_iters),
]
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=max_iters, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(interval=10000, max_keep_ckpts=2))
