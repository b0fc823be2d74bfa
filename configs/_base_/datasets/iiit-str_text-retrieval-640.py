# IIIT Scene Text Retrieval (50 query words, 10,000 images; IIITSTRDataset reads data.mat and
# imgDatabase/), evaluated as FDP's test.py: gallery images padded to squares (FDP pre-pads them
# into imgDatabase_pad_square/), resized to 640x640 (bicubic), retrieval mAP over the gallery.
dataset_type = 'IIITSTRDataset'
data_root = 'data/IIIT_STR_V1.0'
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Pad', pad_to_square=True, pad_val=dict(img=0)),
    dict(type='Resize', scale=(640, 640), keep_ratio=False, interpolation='bicubic'),
    dict(type='PackTextRetrievalInputs'),
]
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='data.mat',
        data_prefix=dict(img_path='imgDatabase'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='RetrievalMAPMetric')
test_evaluator = val_evaluator
