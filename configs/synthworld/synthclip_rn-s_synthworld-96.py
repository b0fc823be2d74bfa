# SynthWorld CLIP of the quickstart (`make quickstart`): open_clip 'synthworld-rn-s' from scratch
# on SynthWorld object names (crops of the labelled train objects and the close-ups, each with its
# bare noun: ../_base_/datasets/synthworld_object-names.py), batch 128, 420 iterations (under
# 10 min on 2 cores), evaluated zero-shot at the end. The RN heads' SynthWorld configs read its
# weights as pretrained='synthworld-rn-s' (the export hook registers them in the ovseg cache). It knows shapes, unseen ones included, but retrieves whole-image captions poorly;
# synthclip_rn-s_synthworld-captions-96.py trains on the captions instead (README).
_base_ = [
    '../_base_/models/synthclip_rn-s.py',
    '../_base_/datasets/synthworld_object-names.py',
    '../_base_/schedules/synthclip_adamw-cosine-420.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
custom_hooks = [
    # category names only: the synonyms ('annulus', 'lozenge', ...) never occur in SynthWorld
    # captions, so this CLIP has never seen them
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s.pt', name='synthworld-rn-s'),
]
