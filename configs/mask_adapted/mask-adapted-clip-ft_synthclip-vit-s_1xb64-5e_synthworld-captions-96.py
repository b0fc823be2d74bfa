_base_ = './mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py'
# Full fine-tuning of the image tower (mean fill, no prompts; OVSeg Table 3b) on mined pairs:
# OVSeg's recipe is AdamW lr 5e-6, weight decay 0.2 (ViT-L); here lr 1e-5 for the small
# SynthWorld CLIP (not tuned).
model = dict(trainable='image')
optim_wrapper = dict(optimizer=dict(lr=1e-5, weight_decay=0.2))
custom_hooks = [
    dict(type='VocabularyHook'),
    dict(type='ExportCLIPHook', filename='mask_adapted_clip.pt',
         name='synthworld-vit-s-mask-adapted-ft'),
]
