# SynthWorld CLIP that has read attribute words (issue 15, configs/attributes/README.md): the
# quickstart CLIP 'synthworld-rn-s' fine-tuned on its own two corpora with attribute phrases in
# place of half of the bare nouns, all from the captions (label-free):
# - crops of the labelled train objects: their caption phrase ('a large red striped star' or
#   'a red star') half the time, the bare 'a star' otherwise;
# - the close-ups (any category and attribute, unseen ones included, as web alt-text): one noun
#   phrase of their captions ('a large pink checkered heart', 'a pink heart');
# each phrase with a hard negative that differs in one attribute word ('a large cyan checkered
# heart', 'a small pink checkered heart', 'a large pink striped heart'; RandomCaptionView(
# attribute_negative_prob=1)), so that a batch cannot be matched by shape alone.
# Exports the weights 'synthworld-rn-s-attributes':
#   python tools/train.py configs/synthworld/synthclip_rn-s-ft_synthworld-attributes-96.py \
#       --work-dir work_dirs/synthclip-rn-s-ft-attributes
_base_ = ['./synthclip_rn-s_synthworld-96.py']
model = dict(pretrained='synthworld-rn-s')
object_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCaptionView', object_prob=1.0, name_prob=0.5, attribute_negative_prob=1.0),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
closeup_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCaptionView', object_prob=0.0, phrase_prob=1.0, attribute_negative_prob=1.0),
    dict(type='Resize', scale=({{_base_.image_size}}, {{_base_.image_size}}), keep_ratio=False),
    dict(type='PackCaptionInputs'),
]
train_dataloader = dict(dataset=dict(datasets=[
    dict(type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
         ann_file='annotations/captions_train.json',
         instance_file='annotations/instances_train.json',
         data_prefix=dict(img_path='img_dir/train'), pipeline=object_pipeline),
    dict(type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
         ann_file='annotations/captions_closeup.json',
         data_prefix=dict(img_path='img_dir/closeup'), pipeline=closeup_pipeline),
]))
# fine-tuning on a 2-core CPU budget (10-23 min): the quickstart's peak lr, 20 warm-up
# iterations, cosine to 0 at 150
max_iters = 150
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=20, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-ft-attributes.pt',
         name='synthworld-rn-s-attributes'),
]
