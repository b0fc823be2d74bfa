_base_ = [
    '../_base_/models/ovseg_vit-b16.py', '../_base_/datasets/ade20k_clip-640x640.py',
    '../_base_/default_runtime.py'
]
# SAM + OVSeg (the ov-seg Hugging Face demo, issues #25/#29): SAM ViT-B automatic masks as
# class-agnostic proposals (no class logits, so CLIP alone classifies; invalid masks dropped),
# CLIP ViT-B/16 crop mode, mask threshold 0.35 (OVSeg demo), test short side 640 (max 2560).
# Mask prompts on, as OVSeg's released configs. For OVSeg's mask-adapted CLIP:
# tools/convert/ovseg2openclip.py ovseg_R101c_vitB16_ft_mpt.pth ovseg_vit-b16.pt, then
# --cfg-options model.mask_classifier.clip.pretrained=ovseg_vit-b16.pt
# model.text_classifier.text_encoder.pretrained=ovseg_vit-b16.pt (plain OpenAI CLIP:
# model.mask_classifier.clip.use_mask_prompt=False)
model = dict(
    proposal_generator=dict(
        _delete_=True,
        type='SAMProposalGenerator',
        sam='vit_b',
        checkpoint='checkpoints/sam_vit_b_01ec64.pth'),
    mask_classifier=dict(mask_threshold=0.35))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = None  # zero-shot: evaluation only
val_dataloader = dict(batch_size=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
