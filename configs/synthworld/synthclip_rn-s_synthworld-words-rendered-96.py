# SynthWorld CLIP that reads, third recipe (configs/text_retrieval/README.md, "why it does not
# learn to read"): as synthclip_rn-s_synthworld-words-cls-96.py (word crops alone, CLIP loss +
# dictionary-word classifier), but every crop shows a freshly rendered sign (PasteRandomSign:
# a random dictionary word, held-out words excluded, drawn as the scene generator draws signs,
# pasted onto a train scene): the quickstart world has about ten signs per word, few enough
# to memorise its scenes instead of reading. Exports 'synthworld-rn-s-words-rendered'.
_base_ = ['./synthclip_rn-s_synthworld-words-cls-96.py']
word_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PasteRandomSign', exclude_words='synthworld-heldout'),
    dict(type='RandomWordView', scale_range=(1.2, 1.6), max_shift=0.1,
         exclude_words='synthworld-heldout'),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs', meta_keys=('img_path', 'img_id', 'ori_shape', 'img_shape',
                                              'word')),
]
# every train scene is a background (its own signs are replaced)
train_dataloader = dict(dataset=dict(dataset=dict(filter_cfg=dict(min_words=0),
                                                  pipeline=word_pipeline)))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-words-rendered.pt',
         name='synthworld-rn-s-words-rendered'),
]
