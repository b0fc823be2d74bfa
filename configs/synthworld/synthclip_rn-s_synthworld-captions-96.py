# SynthWorld CLIP on the captions (the quickstart's recipe until the object names replaced it):
# the quickstart's tower and budget, trained on whole train images with a caption or (half the
# time) a labelled object's crop with the caption phrase that names it
# (../_base_/datasets/synthworld_captions.py). It retrieves captions well and knows colours and
# backgrounds, but few shapes and no unseen one (README). Exports synthclip-rn-s-captions.pt.
_base_ = [
    '../_base_/models/synthclip_rn-s.py',
    '../_base_/datasets/synthworld_captions.py',
    '../_base_/schedules/synthclip_adamw-cosine-420.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-captions.pt', name='synthworld-rn-s-captions'),
]
