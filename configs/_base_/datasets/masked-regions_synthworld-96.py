# Mined SynthWorld (masked crop, noun) pairs for mask-adapted CLIP fine-tuning, made by
#   python tools/mine_region_pairs.py configs/mask_adapted/ovseg_gt-masks_synthclip-vit-s_synthworld-160.py \
#     --captions data/synthworld/annotations/captions_train.json --img-dir data/synthworld/img_dir/train \
#     --seg-dir data/synthworld/ann_dir/train --out data/synthworld/mask_adapted/train_pairs
# and labelled val regions (the same with --labelled and the val split, --out .../val_gt).
# Validation: zero-shot top-1 of GT regions over the 21 classes, seen / unseen.
dataset_type = 'MaskedRegionDataset'
data_root = 'data/synthworld/mask_adapted'
crop_size = 96
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRegionMask'),
    dict(type='RegionRandomResizedCrop', size=crop_size, scale=(0.9, 1.0)),
    dict(type='PackRegionInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRegionMask'),
    dict(type='RegionRandomResizedCrop', size=crop_size, scale=(1.0, 1.0), ratio=(1.0, 1.0)),
    dict(type='PackRegionInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train_pairs/pairs.tsv',
        metainfo_from='SynthWorldSegDataset',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val_gt/pairs.tsv',
        metainfo_from='SynthWorldSegDataset',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ZeroShotClassificationMetric')
test_evaluator = val_evaluator
