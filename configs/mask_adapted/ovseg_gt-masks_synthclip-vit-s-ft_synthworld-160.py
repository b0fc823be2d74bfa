_base_ = './ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
# CLIP fully fine-tuned on mined SynthWorld region-noun pairs (mean fill, no prompts); weights
# from configs/mask_adapted/mask-adapted-clip-ft_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py.
weights = 'synthworld-vit-s-mask-adapted-ft'
model = dict(
    mask_classifier=dict(clip=dict(pretrained=weights)),
    text_classifier=dict(text_encoder=dict(pretrained=weights)))
