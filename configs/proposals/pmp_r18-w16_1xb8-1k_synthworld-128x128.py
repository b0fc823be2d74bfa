_base_ = [
    '../_base_/models/proposals_mask2former-pmp_synthworld.py',
    '../_base_/datasets/synthworld_seg.py', '../_base_/default_runtime.py'
]
# PMP on SynthWorld (CPU, 10-20 min, OMP_NUM_THREADS=1): text-query cross-attention after the
# masked cross-attention of every decoder layer. Trained on the 17 seen classes only (vocabulary
# and labels: the 4 unseen things are neither named nor labelled), validated on all 21 (mIoU
# seen / unseen / harmonic).
# Placement ablation: the configs with pmp-after-self / pmp-before-cross / mask2former-ov.
seen_classes = ('circle', 'square', 'triangle', 'star', 'ring', 'cross', 'hexagon', 'diamond',
                'trapezoid', 'teardrop', 'sky', 'grass', 'brick', 'wood', 'water', 'sand', 'sign')
seen_synonyms = ('circle, round disc, disk', 'square, box', 'triangle, trigon',
                 'star, five-pointed star', 'ring, annulus, donut', 'cross, plus sign',
                 'hexagon, six-sided polygon', 'diamond, rhombus, lozenge',
                 'trapezoid, trapezium', 'teardrop, droplet, raindrop', 'sky, clear sky',
                 'grass, lawn, meadow', 'brick, brick wall', 'wood, wooden planks',
                 'water, sea', 'sand, beach sand', 'sign, signboard, placard')
train_dataloader = dict(
    batch_size=8,
    dataset=dict(metainfo=dict(classes=seen_classes, class_synonyms=seen_synonyms)))
# Each batch asks for 10 random seen classes; ground truth of the others is ignored, so the
# proposals must follow the asked vocabulary (the PMP setting).
model = dict(proposal_generator=dict(num_sampled_classes=10))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05, betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=1.0, norm_type=2),
    paramwise_cfg=dict(custom_keys={
        'norm': dict(decay_mult=0.0),
        'query_embed': dict(decay_mult=0.0),
        'query_feat': dict(decay_mult=0.0),
        'level_embed': dict(decay_mult=0.0),
        'no_object_embedding': dict(decay_mult=0.0),
    }))
max_iters = 1000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=50, end=max_iters),
]
train_cfg = dict(type='ExactResumeIterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(interval=max_iters), logger=dict(interval=50),
                     visualization=dict(type='SegVisualizationHook', draw=False))
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVSegInferencer(name) loads them)
# (stage 1 of configs/mask_adapted/ovseg_*_synthworld-160.py).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-pmp-r18')]
