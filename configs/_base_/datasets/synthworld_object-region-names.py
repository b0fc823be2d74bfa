# SynthWorld object and region names for CLIP pretraining: the quickstart's two corpora
# (./synthworld_object-names.py) plus a third, masked regions of the labelled train label maps
# (RandomMaskedRegionView: one labelled region per image, a thing or stuff, cut as the two-stage
# test cuts a proposal: tight box, mean fill), each with 'a <class>' ('a star', 'a grass'). The
# three corpora have one item per image each (2,000 in the default world), so a batch is a third
# of each. Stage 2 classifies exactly such crops, and 7 of its 21 names are stuff, which neither
# object crops nor close-ups name (README of configs/mask_adapted).
_base_ = './synthworld_object-names.py'
region_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomMaskedRegionView', size={{_base_.image_size}}),
    dict(type='PackCaptionInputs'),
]
region_dataset = dict(type='SynthWorldSegDataset', data_root={{_base_.data_root}},
                      data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
                      pipeline=region_pipeline)
# the region corpus's metainfo describes the 21 segmentation classes, the others' the 14 things:
# the ConcatDataset keeps the first's (pretraining reads only the texts; the zero-shot vocabulary
# comes from the val set)
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.object_dataset}}, {{_base_.closeup_dataset}}, region_dataset],
    ignore_keys=['classes', 'class_synonyms', 'palette', 'seen', 'base_classes',
                 'novel_classes', 'thing_classes', 'stuff_classes', 'label_map',
                 'reduce_zero_label']))
