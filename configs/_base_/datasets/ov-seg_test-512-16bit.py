_base_ = './ov-seg_test-512.py'
# The same evaluation for the detectron2-style conversions of the full vocabularies:
# 16-bit TIFF labels (trainId), 65535 = ignore.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations16Bit', ignore_index=65535),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ignore_index=65535)
test_evaluator = val_evaluator
