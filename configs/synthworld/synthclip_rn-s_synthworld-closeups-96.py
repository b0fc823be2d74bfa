# SynthWorld CLIP from the close-ups only (`tools/synthworld.py` writes 2,000 of them: one shape
# filling the frame, caption data like web alt-text, unseen categories included), each paired
# with its bare noun ('a heart'): the quickstart's tower, schedule and budget (420 iterations).
# The only recipe measured so far whose CLIP knows the unseen shapes (README); it sees no
# multi-object caption, so its retrieval recall is near zero. Exports synthclip-rn-s-closeups.pt.
_base_ = './synthclip_rn-s_synthworld-96.py'
train_dataloader = dict(dataset=dict(
    ann_file='annotations/captions_closeup.json',
    instance_file='',
    data_prefix=dict(img_path='img_dir/closeup'),
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='RandomCaptionView', object_prob=0.0, noun_list_prob=1.0),
        dict(type='Resize', scale=(96, 96), keep_ratio=False),
        dict(type='PackCaptionInputs'),
    ]))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-closeups.pt'),
]
