# SynthWorld objects with VAW-style attribute labels (positive / negative / unknown), one crop
# per object: the ground-truth box enlarged by 1 + U(0, 0.2) in training and by the fixed 1.1
# at test (deterministic), resized keeping aspect and centre-padded with the CLIP mean to 96 px.
# Train labels omit the unseen things and unseen attributes (pink, cyan, checkered); val has
# them all. Both label spaces (attributes and categories) are annotated for every object.
dataset_type = 'SynthWorldAttributeDataset'
data_root = 'data/synthworld/'
crop_size = 96
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropBoxRegion', size=crop_size, scale=(1.0, 1.2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAttributeInputs', label_spaces=('attribute', 'category')),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropBoxRegion', size=crop_size, scale=1.1),
    dict(type='PackAttributeInputs', label_spaces=('attribute', 'category')),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/attributes_train.json',
        data_prefix=dict(img_path='img_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/attributes_val.json',
        data_prefix=dict(img_path='img_dir/val'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='AttributeMAPMetric')
test_evaluator = val_evaluator
