_base_ = [
    '../_base_/models/denseclip-mask-rcnn_r50.py', 'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/det_runtime.py', '../_base_/schedules/denseclip_adamw-1x.py'
]
optim_wrapper = dict(optimizer=dict(lr=2e-4))
