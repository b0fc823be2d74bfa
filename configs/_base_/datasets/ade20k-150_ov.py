# ADE20K-150 for open-vocabulary evaluation: mmseg's ADE20KDataset (labels = raw - 1,
# raw 0 -> 255 via reduce_zero_label), 2,000 val images, single scale (short side 512), mIoU.
# mmseg's layout: data/ade/ADEChallengeData2016/{images,annotations}/{training,validation}.
_base_ = './ov-seg_512x512.py'
dataset_type = 'ADE20KDataset'
data_root = 'data/ade/ADEChallengeData2016'
train_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='images/training', seg_map_path='annotations/training')))
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation')))
test_dataloader = val_dataloader
