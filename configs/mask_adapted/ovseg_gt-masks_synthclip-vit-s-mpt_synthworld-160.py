_base_ = './ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
# Mask prompt tuning only (CLIP frozen, depth-3 prompts); weights from
# configs/mask_adapted/mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py.
weights = 'synthworld-vit-s-mask-adapted-mpt'
model = dict(
    mask_classifier=dict(clip=dict(pretrained=weights, use_mask_prompt=True)),
    text_classifier=dict(text_encoder=dict(pretrained=weights)))
