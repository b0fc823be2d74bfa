# The distilled ViT SynthWorld CLIP recipe (./synthclip_vit-s_synthworld-96.py: 1,000
# iterations, ~20 min on 2 cores) with masked-region views of the labelled train regions added
# to its object names (../_base_/datasets/synthworld_object-region-names.py), distilled from the
# ResNet CLIP trained on the same data (./synthclip_rn-s_synthworld-regions-96.py, train it
# first). The CLIP of the SynthWorld two-stage configs (configs/mask_adapted/README.md):
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-vit-s-regions
_base_ = [
    '../_base_/models/synthclip_vit-s.py',
    '../_base_/datasets/synthworld_object-region-names.py',
    '../_base_/schedules/synthclip_adamw-cosine-1000.py',
    '../_base_/default_runtime.py',
]
model = dict(distill=dict(
    model_name='synthworld-rn-s', weight=10.0,
    pretrained='synthworld-rn-s-regions'))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-vit-s-regions.pt', name='synthworld-vit-s-regions'),
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
