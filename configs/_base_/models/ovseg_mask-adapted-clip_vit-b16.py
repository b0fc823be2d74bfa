# Mask-adapted CLIP fine-tuning (OVSeg Sec. 3.2-3.3) of OpenAI CLIP ViT-B/16 (QuickGELU, 224 px):
# CLIP loss between masked crops and raw nouns, text tower locked, depth-3 prompts (std 0.02).
model = dict(
    type='MaskAdaptedCLIP',
    trainable='prompt',
    templates='vild',
    image_tower=dict(
        type='MaskPromptViT',
        model_name='ViT-B-16-quickgelu',
        pretrained='openai',
        prompt_depth=3,
        prompt_init='normal'),
    text_encoder=dict(type='OVCLIPTextEncoder', model_name='ViT-B-16-quickgelu',
                      pretrained='openai'))
