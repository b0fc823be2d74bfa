# SynthWorld CLIP that reads, second recipe (configs/text_retrieval/README.md, "why it does not
# learn to read"): the quickstart CLIP 'synthworld-rn-s' fine-tuned on word crops alone
# (RandomWordView, 'the word "cart"', hard negative 'the word "card"'; held-out words never
# cropped) with, besides the CLIP loss, a dictionary-word classifier on the image embedding
# (ContrastiveCLIP(word_head=...)): the CLIP loss alone collapses every word onto one point
# (the text tower starts with all 217 prompts at cosine 0.97), which leaves it no gradient;
# the classifier keeps the words apart in the image tower and the text tower follows.
# Exports the weights 'synthworld-rn-s-words-cls'.
_base_ = ['./synthclip_rn-s_synthworld-words-96.py']
# validation reads: every readable val word cropped (WordCrops, 1.4x, centred) is ranked among
# the 217 dictionary words prompted 'the word "<w>"'; top-1 / top-5 of trained (seen) and
# held-out (unseen) words (the object names: test the quickstart config with these weights)
model = dict(word_head=dict(words='synthworld-pretrained', weight=1.0, scale=10.0),
             templates='the word "{}"')
word_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomWordView', scale_range=(1.2, 1.6), max_shift=0.1,
         exclude_words='synthworld-heldout'),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    # 'word': the word head's label
    dict(type='PackCaptionInputs', meta_keys=('img_path', 'img_id', 'ori_shape', 'img_shape',
                                              'word')),
]
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=20,
        dataset=dict(type='SynthWorldTextRetrievalDataset', data_root={{_base_.data_root}},
                     ann_file='annotations/text_train.json',
                     data_prefix=dict(img_path='img_dir/train'), filter_cfg=dict(min_words=1),
                     pipeline=word_pipeline)))
reading_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='WordCrops', size={{_base_.image_size}}, scale=1.4),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
val_dataloader = dict(dataset=dict(
    _delete_=True, type='SynthWorldWordReadingDataset', data_root={{_base_.data_root}},
    ann_file='annotations/text_val.json', data_prefix=dict(img_path='img_dir/val'),
    filter_cfg=dict(min_words=1), pipeline=reading_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(crop_ks=(5, ))
test_evaluator = val_evaluator
# a new task for the image tower: 1.5x the quickstart's peak lr (3e-3), 30 warm-up iterations,
# cosine to 0 at 600 (a CPU budget: about 35 min on 2 shared cores); checkpoints every 200
max_iters = 600
optim_wrapper = dict(optimizer=dict(lr=3e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=30, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=200))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-words-cls.pt',
         name='synthworld-rn-s-words-cls'),
]
