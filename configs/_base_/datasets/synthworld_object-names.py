# SynthWorld object names for CLIP pretraining (tools/synthworld.py --out data/synthworld ...):
# two image-text corpora, each image paired with the bare noun(s) of its captions, so that only
# the shape tells a batch's texts apart (README, "SynthWorld and its CLIP"):
# - crops of the labelled train objects (seen classes), 'a star': RandomCaptionView with
#   object_prob=1 and name_prob=1 (1.1-1.6x square windows, jittered, flipped);
# - the close-ups (a window around one object of a scene, any class, unseen ones included,
#   captions only, as web alt-text), 'a heart': the head nouns of their captions.
# Validation as synthworld_captions.py: 1.2x crops of every val object, and the val captions.
_base_ = './synthworld_captions.py'
object_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCaptionView', object_prob=1.0, name_prob=1.0),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
closeup_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCaptionView', object_prob=0.0, noun_list_prob=1.0),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
object_dataset = dict(type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
                      ann_file='annotations/captions_train.json',
                      instance_file='annotations/instances_train.json',
                      data_prefix=dict(img_path='img_dir/train'), pipeline=object_pipeline)
closeup_dataset = dict(type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
                       ann_file='annotations/captions_closeup.json',
                       data_prefix=dict(img_path='img_dir/closeup'), pipeline=closeup_pipeline)
train_dataloader = dict(dataset=dict(
    _delete_=True, type='ConcatDataset', datasets=[object_dataset, closeup_dataset]))
