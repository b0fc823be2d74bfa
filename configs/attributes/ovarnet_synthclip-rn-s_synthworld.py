# OvarNet on SynthWorld: whole 160 px images, seen / unseen attributes (pink, cyan, checkered
# never labelled in training) and categories; box-given evaluation (the val objects' boxes as
# proposals), the same metric as CLIP-Attr. Distilled from the CLIP-Attr config:
#   python tools/train.py configs/attributes/ovarnet_synthclip-rn-s_synthworld.py \
#       --cfg-options model.distill.teacher_checkpoint=<CLIP-Attr iter_600.pth>
_base_ = [
    '../_base_/models/ovarnet_synthclip-rn-s.py',
    '../_base_/datasets/synthworld_attributes.py',
    '../_base_/schedules/clip-attr_adamw-step-600.py',
    '../_base_/det_runtime.py',
]
# Per image instead of per object; every SynthWorld object is boxed (exhaustive boxes).
image_scale = (160, 160)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAttributeAnnotations'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetAttributeInputs', label_spaces=('attribute', 'category')),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAttributeAnnotations'),
    dict(type='PackDetAttributeInputs', label_spaces=('attribute', 'category'),
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=8,
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(per_image=True, pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, dataset=dict(per_image=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(by_epoch=False, interval={{_base_.max_iters}}))
log_processor = dict(by_epoch=False)
custom_hooks = [dict(type='AttributeVocabularyHook')]
# CLIP-Attr's schedule (600 iterations, AdamW 2e-3, wd 5e-4, clip 35), batch 8 images; the text
# side is frozen (fixed embeddings from the teacher), so no text lr multiplier applies.
