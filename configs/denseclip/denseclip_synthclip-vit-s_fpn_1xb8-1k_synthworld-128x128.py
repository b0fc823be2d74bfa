_base_ = [
    '../_base_/models/denseclip_synthclip-vit-s.py', '../_base_/datasets/synthworld_seg.py',
    '../_base_/default_runtime.py', '../_base_/schedules/synthworld_adamw-poly-1k.py'
]
# DenseCLIP on SynthWorld (CPU, minutes). Trained on the seen classes' labels (unseen things
# are 255 in train maps, but named in the vocabulary); validated on all 21 classes.
# Zero-shot score map of the same model: --cfg-options model.test_cfg.predict_from=score_map
crop_size = (128, 128)
model = dict(data_preprocessor=dict(size=crop_size), test_cfg=dict(mode='whole'))
default_hooks = dict(checkpoint=dict(interval=500), logger=dict(interval=50))
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVSegInferencer(name) loads them).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-denseclip-vit-s')]
