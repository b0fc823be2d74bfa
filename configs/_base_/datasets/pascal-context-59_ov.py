# Pascal Context-59 (PC-59): mmseg's PascalContextDataset59 (background 0 -> 255 via
# reduce_zero_label), 5,105 val images, single scale (short side 512), mIoU.
# Layout of mmseg's converter: data/VOCdevkit/VOC2010/{JPEGImages,SegmentationClassContext,
# ImageSets/SegmentationContext/{train,val}.txt}.
_base_ = './ov-seg_512x512.py'
dataset_type = 'PascalContextDataset59'
data_root = 'data/VOCdevkit/VOC2010'
train_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassContext'),
    ann_file='ImageSets/SegmentationContext/train.txt'))
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassContext'),
    ann_file='ImageSets/SegmentationContext/val.txt'))
test_dataloader = val_dataloader
