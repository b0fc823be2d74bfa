# OVAD zero-shot (cross-dataset) evaluation of CLIP-Attr ViT-B/16 trained on VAW + COCO:
# 117 OVAD attributes ('type:syn1/syn2', each synonym prompted, max-pooled) on the 2000 COCO
# val2017 images of ovad2000.json, 80 COCO categories with their super-categories.
# Box-given (ground-truth boxes, the test below):
#   python tools/test.py configs/attributes/clip-attr_vit-b16-clip_ovad-zero-shot.py \
#       work_dirs/clip-attr_vit-b16-clip_vaw-coco/epoch_60.pth
# Box-free (boxes from a detector, OVAD's greedy IoU >= 0.5 matching, misses scored 0):
# `box_free_dataloader` / `box_free_evaluator` below, for a model that predicts boxes with
# attribute scores (pred_instances.bboxes / .attribute_scores), e.g. OvarNet.
_base_ = './clip-attr_vit-b16-clip_vaw-coco.py'
ovad_root = 'data/'
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='OVADDataset', per_instance=True, data_root=ovad_root,
        ann_file='ovad/ovad2000.json', data_prefix=dict(img='coco/val2017/'), test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='CropBoxRegion', size={{_base_.crop_size}}, scale=1.1),
            dict(type='PackAttributeInputs', label_spaces=('attribute', 'category')),
        ]))
# mAP all / head / medium / tail (OVAD's freq_set), per type and per parent type
test_evaluator = dict(_delete_=True, type='AttributeMAPMetric')
box_free_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='OVADDataset', data_root=ovad_root, ann_file='ovad/ovad2000.json',
        data_prefix=dict(img='coco/val2017/'), test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(1333, 800), keep_ratio=True),
            dict(type='LoadAttributeAnnotations', num_attributes=117),
            dict(type='PackDetAttributeInputs',
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
        ]))
box_free_evaluator = dict(type='AttributeMAPMetric', box_free=True, iou_threshold=0.5)
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
