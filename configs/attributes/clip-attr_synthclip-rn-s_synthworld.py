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
custom_hooks = [dict(type='AttributeVocabularyHook')]
