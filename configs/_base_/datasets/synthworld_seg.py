# SynthWorld semantic segmentation (tools/synthworld.py --out data/synthworld ...): 21 classes
# (14 things + 7 stuff). Train maps label the unseen things 255; val labels everything, and
# OpenVocabIoUMetric reports mIoU over seen and unseen classes (metainfo 'seen').
dataset_type = 'SynthWorldSegDataset'
data_root = 'data/synthworld'
crop_size = (128, 128)
# Test scale: images are resized to fit 160x160 (keeping their aspect ratio) and predictions
# are resized back to the original size by mmseg, so a large image costs no more than this
# scale. SynthWorld's own images are 160x160 (tools/synthworld.py --image-size default), so
# they pass unchanged and the val metrics are those of the full-size images.
test_scale = (160, 160)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(160, 160), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=test_scale, keep_ratio=True),
    # annotations after Resize: metrics are computed at the original size
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='OpenVocabIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
