_base_ = [
    '../_base_/models/denseclip-retinanet_synthclip-vit-s.py',
    '../_base_/datasets/synthworld_det.py', '../_base_/det_runtime.py',
    '../_base_/schedules/synthworld_adamw-step-1k.py'
]
# DenseCLIP RetinaNet on SynthWorld (CPU): trained on the seen things' boxes, evaluated (COCO AP,
# per class) on all 14 things.
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=500), logger=dict(interval=50))
log_processor = dict(by_epoch=False)
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVDetInferencer(name) loads them).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-denseclip-retinanet-vit-s')]
