# OVSeg stage 2 on the SynthWorld CLIP ('synthworld-vit-s': ViT 6x192, patch 16, 96 px, D=128;
# weights from python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-regions-96.py
# --work-dir work_dirs/synthclip-vit-s-regions).
# Crop mode with mean fill (prompts off: an untuned CLIP), prompts in SynthWorld's words
# ('synthworld': 'a star'; this text tower never read ViLD's 'photo'), lambda 0.7.
# Stage 1 here is the ground truth (oracle masks); configs swap in other generators.
clip_name = 'synthworld-vit-s'
clip_weights = 'synthworld-vit-s-regions'
model = dict(
    type='TwoStageOVSegmentor',
    proposal_generator=dict(type='GTMaskProposals'),
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
    text_classifier=dict(
        type='TextClassifier',
        templates='synthworld',
        text_encoder=dict(type='OVCLIPTextEncoder', model_name=clip_name, pretrained=clip_weights)),
    classify_with='ensemble',
    clip_weight=0.7,
    invalid_clip_prob='one')
