_base_ = [
    '../_base_/models/proposals_text-prompted-sam_vit-b.py',
    '../_base_/datasets/ade20k-150_ov.py', '../_base_/default_runtime.py'
]
# "Segment the X": text-prompted SAM on ADE20K-150 without training. One SAM mask per class of the
# vocabulary, classified by its mask-pooled CLIP pixel-text scores (ProposalSegmentor's
# MaskFormer-style inference). Needs SAM's checkpoint (proposals_sam-vit-b.py) and CLIP's
# 'openai' weights; evaluate with tools/test.py.
model = dict(
    type='ProposalSegmentor',
    data_preprocessor=dict(type='SegDataPreProcessor', mean=None, std=None, bgr_to_rgb=True,
                           pad_val=0, seg_pad_val=255, size_divisor=32),
    text_classifier=dict(
        type='TextClassifier',
        text_encoder=dict(type='OVCLIPTextEncoder', model_name={{_base_.clip_name}},
                          pretrained='openai'),
        templates='vild'),
    proposal_generator={{_base_.proposal_generator}})
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
