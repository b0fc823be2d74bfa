_base_ = [
    '../_base_/models/clip-retinanet_r50.py', 'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/det_runtime.py', '../_base_/schedules/denseclip_adamw-1x.py'
]
