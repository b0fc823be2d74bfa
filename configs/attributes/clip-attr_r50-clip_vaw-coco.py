# CLIP-Attr step I on VAW + COCO (federated), OpenAI CLIP RN50: 541 base VAW attributes and 48
# base COCO categories trained, 79 novel attributes and 17 novel categories only evaluated.
#   python tools/train.py configs/attributes/clip-attr_r50-clip_vaw-coco.py
_base_ = [
    '../_base_/models/clip-attr_r50-clip.py',
    '../_base_/datasets/vaw_coco_attributes.py',
    '../_base_/schedules/clip-attr_adamw-step-60e.py',
    '../_base_/det_runtime.py',
]
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=5, max_keep_ckpts=2))
custom_hooks = [dict(type='AttributeVocabularyHook')]
