# SynthWorld CLIP, ViT variant: open_clip 'synthworld-vit-s' from scratch on the quickstart's
# object names (../_base_/datasets/synthworld_object-names.py), distilled from the quickstart's
# ResNet CLIP (feature distillation, CLIP-KD: its text tower is the starting point, its image
# embeddings the regression targets, weight 10), batch 128, 1,000 iterations at lr 5e-4
# (../_base_/schedules/synthclip_adamw-cosine-1000.py; ~20 min on 2 cores), evaluated zero-shot at
# the end. Needs the weights 'synthworld-rn-s' (make quickstart). Without the teacher
# (model.distill=None, 2,000 iterations) the ViT learns the seen shapes but calls every unseen
# one by a seen name (README, "SynthWorld and its CLIP"). The ViT heads' SynthWorld configs
# (mask-adapted CLIP, PMP, DenseCLIP ViT) read its weights as pretrained='synthworld-vit-s':
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py \
#       --work-dir work_dirs/synthclip-vit-s
_base_ = [
    '../_base_/models/synthclip_vit-s.py',
    '../_base_/datasets/synthworld_object-names.py',
    '../_base_/schedules/synthclip_adamw-cosine-1000.py',
    '../_base_/default_runtime.py',
]
model = dict(distill=dict(model_name='synthworld-rn-s', weight=10.0,
                          pretrained='synthworld-rn-s'))
custom_hooks = [
    # category names only: the synonyms ('annulus', 'lozenge', ...) never occur in SynthWorld
    # captions, so this CLIP has never seen them
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-vit-s.pt', name='synthworld-vit-s'),
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
