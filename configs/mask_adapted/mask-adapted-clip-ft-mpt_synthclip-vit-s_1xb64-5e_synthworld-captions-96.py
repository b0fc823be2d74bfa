_base_ = './mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py'
# OVSeg's final recipe, second step: mask prompt tuning on top of the fully fine-tuned CLIP.
weights = 'synthworld-vit-s-mask-adapted-ft'
model = dict(image_tower=dict(pretrained=weights), text_encoder=dict(pretrained=weights))
custom_hooks = [
    dict(type='VocabularyHook'),
    dict(type='ExportCLIPHook', filename='mask_adapted_clip.pt',
         name='synthworld-vit-s-mask-adapted-ft-mpt'),
]
