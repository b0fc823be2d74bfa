# CLIP-Attr on SynthWorld: seen / unseen attributes (pink, cyan, checkered never labelled in
# training) and categories, box-given evaluation on the val objects.
#   python tools/train.py configs/attributes/clip-attr_synthclip-rn-s_synthworld.py
_base_ = [
    '../_base_/models/clip-attr_synthclip-rn-s.py',
    '../_base_/datasets/synthworld_attributes.py',
    '../_base_/schedules/clip-attr_adamw-step-600.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# the name 'synthworld-clip-attr-rn-s' (demo and model zoo read them by that name).
custom_hooks = [dict(type='AttributeVocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-clip-attr-rn-s')]
