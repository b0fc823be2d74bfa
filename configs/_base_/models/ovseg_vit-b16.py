# OVSeg stage 2 with CLIP ViT-B/16 (QuickGELU) at 224: crop mode, mean fill, mask prompts depth 3
# forwarded as in OVSeg's released configs (MASK_PROMPT_FWD: True), ViLD templates. For OVSeg's
# released weights pass the file itself (or its tools/convert/ovseg2openclip.py output) as
# pretrained of the CLIP and of the text encoder. With plain OpenAI CLIP ('openai', zero
# prompts) set use_mask_prompt=False. Stage 1 is a placeholder (ground truth).
model = dict(
    type='TwoStageOVSegmentor',
    proposal_generator=dict(type='GTMaskProposals'),
    mask_classifier=dict(
        type='MaskCLIPClassifier',
        mode='crop',
        mask_threshold=0.4,
        chunk_size=32,
        clip=dict(
            type='MaskPromptViT',
            model_name='ViT-B-16-quickgelu',
            pretrained='openai',
            prompt_depth=3,
            use_mask_prompt=True,  # as released
            with_embeddings=True)),
    text_classifier=dict(
        type='TextClassifier',
        templates='vild',
        synonyms='whole',  # OVSeg prompts 'a photo of a road, route.': comma names kept whole
        text_encoder=dict(type='OVCLIPTextEncoder', model_name='ViT-B-16-quickgelu',
                          pretrained='openai')),
    classify_with='ensemble',
    clip_weight=0.7,
    invalid_clip_prob='one')
