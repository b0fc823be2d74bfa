# The quickstart's ResNet SynthWorld CLIP recipe (./synthclip_rn-s_synthworld-96.py: 420
# iterations, batch 128, under 10 min on 2 cores) with masked-region views of the labelled train
# regions added to its object names (../_base_/datasets/synthworld_object-region-names.py), so
# that it reads stuff names and mean-filled crops. Teacher of
# ./synthclip_vit-s_synthworld-regions-96.py:
#   python tools/train.py configs/synthworld/synthclip_rn-s_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-rn-s-regions
_base_ = [
    '../_base_/models/synthclip_rn-s.py',
    '../_base_/datasets/synthworld_object-region-names.py',
    '../_base_/schedules/synthclip_adamw-cosine-420.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-regions.pt', name='synthworld-rn-s-regions'),
]
