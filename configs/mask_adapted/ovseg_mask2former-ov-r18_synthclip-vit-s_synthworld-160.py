_base_ = [
    '../_base_/models/proposals_mask2former-pmp_synthworld.py',
    '../_base_/datasets/synthworld_seg.py', '../_base_/default_runtime.py'
]
# OVSeg on SynthWorld: stage 1 = the open-vocabulary Mask2Former proposal generator of
# configs/proposals/mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py (trained on the 17 seen
# classes), stage 2 = the SynthWorld CLIP in crop mode (mean fill), geometric ensemble
# p = p_prop^(1 - 0.7) * p_clip^0.7. Nothing here is trained: init_weights loads the stage-1
# weights (the `proposal_generator.` keys of the weights its training run publishes,
# `proposal_weights`, strictly) and the CLIP weights (`pretrained`), so no checkpoint is needed:
#   python tools/test.py THIS_CONFIG
#   python demo/image_demo.py IMG THIS_CONFIG --out-dir out --proposals
# (another stage 1: --cfg-options model.proposal_generator.init_cfg.checkpoint=PATH_OR_NAME).
# Ablations: --cfg-options model.classify_with=proposal (stage 1 alone) / =clip (CLIP alone).
clip_name = 'synthworld-vit-s'
# SynthWorld ViT CLIP weights (object names + masked regions), written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-vit-s-regions
clip_weights = 'synthworld-vit-s-regions'
# stage-1 weights (ovseg/utils/weights.py), written by
#   python tools/train.py configs/proposals/mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py
proposal_weights = 'synthworld-mask2former-ov-r18'
model = dict(
    type='TwoStageOVSegmentor',
    proposal_generator=dict(
        head=dict(placement='none'),
        # the keys under the prefix, prefix removed, strictly (the text classifier of stage 1
        # is the frozen CLIP text tower the config names already)
        init_cfg=dict(type='StrictPretrained', checkpoint=proposal_weights,
                      prefix='proposal_generator.')),
    mask_classifier=dict(
        type='MaskCLIPClassifier',
        mode='crop',
        mask_threshold=0.4,
        clip=dict(
            type='MaskPromptViT',
            model_name=clip_name,
            pretrained=clip_weights,
            prompt_depth=3,
            use_mask_prompt=False,
            with_embeddings=True)),
    classify_with='ensemble',
    clip_weight=0.7,
    invalid_clip_prob='one')
train_dataloader = None  # stage 1 trains with its own config
val_dataloader = dict(batch_size=4, num_workers=2)
test_dataloader = val_dataloader
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
