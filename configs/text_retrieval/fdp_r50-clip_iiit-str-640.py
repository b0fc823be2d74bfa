# FDP in the paper's setting (configs/text_retrieval/README.md, "Real data"): CLIP RN50 at
# 640 px, its optimisation (batch 48, 20 epochs), tested on IIIT-STR.
_base_ = [
    '../_base_/models/fdp_r50-clip.py',
    '../_base_/datasets/iiit-str_text-retrieval-640.py',
    '../_base_/schedules/fdp_adam-step-20e.py',
    '../_base_/default_runtime.py',
]
# Training data: FDP trains on the Latin words of ICDAR MLT (words longer than 2 letters that
# are in its dictionary; one sample per (image, word)). ovseg has no MLT reader and MLT is not
# here, so the synthetic text images of SynthWorld stand in (tools/synthworld.py; 160 px signs,
# resized to 640 as FDP resizes its inputs, bicubic: the score-map targets follow the resize).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(640, 640), keep_ratio=False, interpolation='bicubic'),
    dict(type='GenerateTextKernels', stride=32, shrink_ratio=0.4, min_text_size=8),
    dict(type='SampleQueryWord'),
    dict(type='PackTextRetrievalInputs'),
]
train_dataloader = dict(
    batch_size=48,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='SynthWorldTextRetrievalDataset',
        data_root='data/synthworld',
        ann_file='annotations/text_train.json',
        data_prefix=dict(img_path='img_dir/train'),
        filter_cfg=dict(min_words=1),
        pipeline=train_pipeline))
log_processor = dict(by_epoch=True)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=10),
    logger=dict(log_metric_by_epoch=True))
