# Pascal VOC-20 (PAS-20), evaluation only: VOC 2012 val (1,449 images), the 20 object classes;
# background and boundaries are ignored (255) via reduce_zero_label.
_base_ = './ov-seg_test-512.py'
dataset_type = 'PascalVOC20Dataset'
data_root = 'data/VOCdevkit/VOC2012'
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    ann_file='ImageSets/Segmentation/val.txt'))
test_dataloader = val_dataloader
