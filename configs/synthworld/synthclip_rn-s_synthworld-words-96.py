# SynthWorld CLIP that reads (configs/text_retrieval/README.md, "teach the SynthWorld CLIP to
# read"): the quickstart CLIP 'synthworld-rn-s' fine-tuned on its own object-name corpora plus
# word crops of the train signs (RandomWordView: a square 1.2-1.6x around one readable word,
# 'the word "cart"', hard negative 'the word "card"', an edit-distance-1 dictionary word), about
# 1:1 (the 1,354 train images with a sign, 3x, against 2,000 object crops + 2,000 close-ups).
# Exports the weights 'synthworld-rn-s-words'.
_base_ = ['./synthclip_rn-s_synthworld-96.py']
model = dict(pretrained='synthworld-rn-s')
word_pipeline = [
    dict(type='LoadImageFromFile'),
    # every fifth dictionary word is held out (never cropped, never a negative): the retrieval
    # table's 'not pretrained' word group
    dict(type='RandomWordView', scale_range=(1.2, 1.6), max_shift=0.1,
         exclude_words='synthworld-heldout'),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
word_dataset = dict(
    type='RepeatDataset',
    times=3,
    dataset=dict(type='SynthWorldTextRetrievalDataset', data_root={{_base_.data_root}},
                 ann_file='annotations/text_train.json',
                 data_prefix=dict(img_path='img_dir/train'), filter_cfg=dict(min_words=1),
                 pipeline=word_pipeline))
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.object_dataset}}, {{_base_.closeup_dataset}}, word_dataset],
    # the word dataset has no classes: the ConcatDataset keeps the object datasets' metainfo
    ignore_keys=['classes', 'class_synonyms', 'palette', 'seen', 'queries', 'vocabulary']))
# fine-tuning on a 2-core CPU budget: half the quickstart's peak lr, 20 warm-up iterations,
# cosine to 0 at 120 (about 40 min on 2 shared cores)
max_iters = 120
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=20, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-words.pt', name='synthworld-rn-s-words'),
]
