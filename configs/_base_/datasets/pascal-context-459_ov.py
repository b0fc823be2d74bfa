# Pascal Context, full 459 classes (PC-459), evaluation only: 5,105 val images, 16-bit TIFF labels
# (Pascal Context LabelMap - 1; unlabelled -> 65535) from the detectron2-style conversion in
# annotations_detectron2/pc459_val. Class names from the dataset's own labels.txt (copy it to
# <data_root>/labels.txt).
dataset_type = 'PascalContext459Dataset'
data_root = 'data/VOCdevkit/VOC2010'
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations16Bit', ignore_index=65535),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        class_names_file='labels.txt',
        data_prefix=dict(img_path='JPEGImages', seg_map_path='annotations_detectron2/pc459_val'),
        ann_file='ImageSets/SegmentationContext/val.txt',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'], ignore_index=65535)
test_evaluator = val_evaluator
