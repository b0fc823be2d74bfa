# SynthWorld CLIP of the quickstart (`make quickstart`): open_clip 'synthworld-rn-s' from scratch
# on SynthWorld captions (2,000 train images), batch 128, 420 iterations (under 10 min on 2 cores),
# evaluated zero-shot at the end. The RN heads' SynthWorld configs read its weights from
# work_dirs/quickstart/synthclip-rn-s.pt (the quickstart sets the export hook's out_dir).
_base_ = [
    '../_base_/models/synthclip_rn-s.py',
    '../_base_/datasets/synthworld_captions.py',
    '../_base_/schedules/synthclip_adamw-cosine-600.py',
    '../_base_/default_runtime.py',
]
max_iters = 420
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=50, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [
    # category names only: the synonyms ('annulus', 'lozenge', ...) never occur in SynthWorld
    # captions, so this CLIP has never seen them
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s.pt'),
]
