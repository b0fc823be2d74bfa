# SynthWorld CLIP quickstart: 'synthworld-vit-s' from scratch on SynthWorld captions (2,000 train
# images), batch 128, AdamW + cosine, evaluated zero-shot at the end; writes
# work_dir/synthclip.pt, usable as pretrained='work_dirs/.../synthclip.pt' by any head config.
_base_ = [
    '../_base_/models/synthclip_vit-s.py',
    '../_base_/datasets/synthworld_captions.py',
    '../_base_/default_runtime.py',
]
max_iters = 600
warmup_iters = 50
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1),
    clip_grad=dict(max_norm=1.0),
    # open_clip's exclusions from weight decay: gains, biases, logit scale, embeddings.
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'logit_scale': dict(decay_mult=0.0),
            'positional_embedding': dict(decay_mult=0.0),
            'class_embedding': dict(decay_mult=0.0),
            'token_embedding': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=warmup_iters,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [dict(type='VocabularyHook'), dict(type='ExportCLIPHook', filename='synthclip.pt')]
