_base_ = [
    '../_base_/models/denseclip-mask-rcnn_synthclip-vit-s.py',
    '../_base_/datasets/synthworld_det.py', '../_base_/det_runtime.py',
    '../_base_/schedules/synthworld_adamw-step-1k.py'
]
# DenseCLIP Mask R-CNN on SynthWorld (CPU): boxes and masks of the seen things; AP on all 14.
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=500), logger=dict(interval=50))
log_processor = dict(by_epoch=False)
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVDetInferencer(name) loads them).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-denseclip-mask-rcnn-vit-s')]
