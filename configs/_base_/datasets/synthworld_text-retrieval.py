# SynthWorld scene-text retrieval (tools/synthworld.py --out data/synthworld ...): 160 px images
# with 0-2 signs of one dictionary word each. Training: one (image, readable word) pair per
# sample with DBNet score-map targets at stride 32; test: every val image scored against every
# val query word, retrieval mAP.
dataset_type = 'SynthWorldTextRetrievalDataset'
data_root = 'data/synthworld'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='GenerateTextKernels', stride=32, shrink_ratio=0.4, min_text_size=8),
    dict(type='SampleQueryWord'),
    dict(type='PackTextRetrievalInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackTextRetrievalInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/text_train.json',
        data_prefix=dict(img_path='img_dir/train'),
        filter_cfg=dict(min_words=1),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/text_val.json',
        data_prefix=dict(img_path='img_dir/val'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='RetrievalMAPMetric')
test_evaluator = val_evaluator
