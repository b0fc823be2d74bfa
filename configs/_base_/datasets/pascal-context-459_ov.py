# Pascal Context, full 459 classes (PC-459), evaluation only: 5,105 val images, 16-bit TIFF labels
# (Pascal Context LabelMap - 1; unlabelled -> 65535) from the detectron2-style conversion in
# annotations_detectron2/pc459_val. Class names from the dataset's own labels.txt (copy it to
# <data_root>/labels.txt).
_base_ = './ov-seg_test-512-16bit.py'
dataset_type = 'PascalContext459Dataset'
data_root = 'data/VOCdevkit/VOC2010'
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root, class_names_file='labels.txt',
    data_prefix=dict(img_path='JPEGImages', seg_map_path='annotations_detectron2/pc459_val'),
    ann_file='ImageSets/SegmentationContext/val.txt'))
test_dataloader = val_dataloader
