# SynthWorld captions (tools/synthworld.py --out data/synthworld ...). Training pairs: the whole
# image with one caption, or (half the time) a labelled object's square crop with the caption
# phrase naming it. Validation: the whole image with all captions (retrieval) and a 1.2x square
# crop of every object (zero-shot classification over the dataset's classes).
dataset_type = 'SynthWorldCaptionDataset'
data_root = 'data/synthworld'
image_size = 96
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCaptionView', object_prob=0.5, scale_range=(1.1, 1.6), max_shift=0.1),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ObjectCrops', size=image_size, scale=1.2),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=False),
    dict(type='PackCaptionInputs', pack_captions=True),
]
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/captions_train.json',
        instance_file='annotations/instances_train.json',
        data_prefix=dict(img_path='img_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/captions_val.json',
        instance_file='annotations/instances_val.json',
        data_prefix=dict(img_path='img_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ZeroShotClassificationMetric', recall_ks=(1, 5))
test_evaluator = val_evaluator
