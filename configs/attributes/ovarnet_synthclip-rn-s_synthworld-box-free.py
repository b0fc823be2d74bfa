# OvarNet on SynthWorld, box-free: the model detects (RPN proposals, [REG]-refined boxes, NMS)
# instead of scoring the ground-truth boxes. Test only (the training is the box-given config's):
#   python tools/test.py configs/attributes/ovarnet_synthclip-rn-s_synthworld-box-free.py \
#       <OvarNet checkpoint>
# - attribute mAP (AttributeMAPMetric(box_free=True), OVAD's protocol: each ground-truth object
#   takes the attribute scores of the detection matched to it one to one at IoU >= 0.5, or
#   zeros; `attribute/objects_matched` is the share of objects with a match);
# - category AP50 seen / unseen of the detections (mmdet's OVCocoMetric: `coco/base_ap50`,
#   `coco/novel_ap50`, from the dataset's `base_classes` / `novel_classes`). Its ground truth
#   is the dataset's own boxes (`instances` in the metainfo), so a changed `data_root` needs
#   no second path.
_base_ = './ovarnet_synthclip-rn-s_synthworld.py'
model = dict(test_cfg=dict(rcnn=dict(boxes_given=False)))
test_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale={{_base_.image_scale}}, keep_ratio=True),
        dict(type='LoadAttributeAnnotations'),
        dict(type='PackDetAttributeInputs', label_spaces=('attribute', 'category'),
             meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                        'instances')),
    ]))
test_evaluator = [
    dict(type='AttributeMAPMetric', box_free=True, iou_threshold=0.5),
    dict(type='mmdet.OVCocoMetric', metric='bbox'),
]
