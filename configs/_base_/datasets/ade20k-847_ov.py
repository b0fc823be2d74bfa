# ADE20K-full, 847 classes, evaluation only: 2,000 val images of ADE20K_2021_17_01 in the
# detectron2-style conversion (short side <= 512, 16-bit TIFF labels = trainId, 65535 = ignore).
# Class names come from the conversion's category list, <data_root>/ade20k_847_classes.json.
_base_ = './ov-seg_test-512-16bit.py'
dataset_type = 'ADE20K847Dataset'
data_root = 'data/ade/ADE20K_2021_17_01'
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root, class_names_file='ade20k_847_classes.json',
    data_prefix=dict(img_path='images_detectron2/validation',
                     seg_map_path='annotations_detectron2/validation')))
test_dataloader = val_dataloader
