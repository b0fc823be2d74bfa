_base_ = './ov-seg_test-512.py'
# Training on 512 crops (random resize of (2048, 512) by 0.5-2.0, cat_max_ratio 0.75, flip,
# photometric distortion), batch 4, on top of the shared single-scale evaluation. A dataset
# file sets dataset_type, data_root and the paths of train_dataloader.dataset.
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
