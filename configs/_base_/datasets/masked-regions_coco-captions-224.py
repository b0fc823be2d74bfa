# COCO Captions (masked proposal crop, caption noun) pairs, OVSeg's "coco_proposal_1cap" setting:
# ~100 class-agnostic proposals per train2017 image, nouns of one caption by NLTK, mined with
#   python tools/mine_region_pairs.py CONFIG_WITH_A_TRAINED_PROPOSAL_GENERATOR --checkpoint CKPT \
#     --nouns nltk --captions data/coco/annotations/captions_train2017.json \
#     --img-dir data/coco/train2017 --out data/coco/mask_adapted/coco_proposal_1cap
# Validation: zero-shot top-1 on ADE20K-150 GT regions (OVSeg's ade_gt_150cls_val), made with
# --labelled on data/ade/ADEChallengeData2016 (labels minus one) -> data/ade/mask_adapted/val_gt.
dataset_type = 'MaskedRegionDataset'
crop_size = 224
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRegionMask'),
    dict(type='RegionRandomResizedCrop', size=crop_size, scale=(0.9, 1.0)),
    dict(type='PackRegionInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRegionMask'),
    dict(type='RegionRandomResizedCrop', size=crop_size, scale=(1.0, 1.0), ratio=(1.0, 1.0)),
    dict(type='PackRegionInputs'),
]
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root='data/coco/mask_adapted',
        ann_file='coco_proposal_1cap/pairs.tsv',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root='data/ade/mask_adapted',
        ann_file='val_gt/pairs.tsv',
        metainfo_from='ADE20KDataset',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ZeroShotClassificationMetric')
test_evaluator = val_evaluator
