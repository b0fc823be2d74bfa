_base_ = [
    '../_base_/models/proposals_mask2former-pmp_r101c.py',
    '../_base_/datasets/coco-stuff-171_ov.py', '../_base_/default_runtime.py'
]
# PMP stage 1: open-vocabulary Mask2Former whose queries attend to the asked classes after the
# masked cross-attention of every decoder layer; COCO-Stuff-171, batch 32 (8 x 4), 120k
# iterations like OVSeg's MaskFormer, with Mask2Former's optimiser (AdamW lr 1e-4, weight decay
# 0.05, backbone lr x 0.1, gradient clipping 0.01). Each batch asks for 64 random classes (ground
# truth of the others ignored) so the proposals learn to follow the vocabulary.
train_dataloader = dict(batch_size=4)
model = dict(proposal_generator=dict(num_sampled_classes=64))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05, eps=1e-8, betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(custom_keys={
        'proposal_generator.backbone': dict(lr_mult=0.1, decay_mult=1.0),
        'norm': dict(decay_mult=0.0),
        'query_embed': dict(decay_mult=0.0),
        'query_feat': dict(decay_mult=0.0),
        'level_embed': dict(decay_mult=0.0),
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
