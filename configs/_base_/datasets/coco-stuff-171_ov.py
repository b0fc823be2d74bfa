# COCO-Stuff-171 (COCO-Stuff 164k): mmseg's COCOStuffDataset (labels 0..170 from mmseg's
# converter, *_labelTrainIds.png, 255 = ignore). The training set of OVSeg's proposal generator
# (crop 512); val2017 (5,000 images) at short side 512 for evaluation.
_base_ = './ov-seg_512x512.py'
dataset_type = 'COCOStuffDataset'
data_root = 'data/coco_stuff164k'
train_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='images/train2017', seg_map_path='annotations/train2017')))
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='images/val2017', seg_map_path='annotations/val2017')))
test_dataloader = val_dataloader
