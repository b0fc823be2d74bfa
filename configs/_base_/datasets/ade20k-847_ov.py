# ADE20K-full, 847 classes, evaluation only: 2,000 val images of ADE20K_2021_17_01 in the
# detectron2-style conversion (short side <= 512, 16-bit TIFF labels = trainId, 65535 = ignore).
# Class names come from the conversion's category list, <data_root>/ade20k_847_classes.json.
dataset_type = 'ADE20K847Dataset'
data_root = 'data/ade/ADE20K_2021_17_01'
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
        class_names_file='ade20k_847_classes.json',
        data_prefix=dict(img_path='images_detectron2/validation',
                         seg_map_path='annotations_detectron2/validation'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'], ignore_index=65535)
test_evaluator = val_evaluator
