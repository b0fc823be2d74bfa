# SynthWorld CLIP, ViT variant: 'synthworld-vit-s' from scratch on SynthWorld captions (2,000
# train images), batch 128, evaluated zero-shot at the end. The ViT heads' SynthWorld configs
# read its weights from work_dirs/synthclip-vit-s/synthclip-vit-s.pt:
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
#       --work-dir work_dirs/synthclip-vit-s
# On this budget it learns colours and layout but hardly any shape (README, "SynthWorld CLIP");
# the quickstart CLIP is the ResNet one, synthclip_rn-s_synthworld-96.py.
_base_ = [
    '../_base_/models/synthclip_vit-s.py',
    '../_base_/datasets/synthworld_captions.py',
    '../_base_/schedules/synthclip_adamw-cosine-600.py',
    '../_base_/default_runtime.py',
]
custom_hooks = [
    # category names only: the synonyms ('annulus', 'lozenge', ...) never occur in SynthWorld
    # captions, so this CLIP has never seen them
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-vit-s.pt'),
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
