# Mask-adapted CLIP fine-tuning (OVSeg Sec. 3.2-3.3) of the SynthWorld CLIP: CLIP loss between
# masked crops and raw nouns, text tower locked. trainable='image' (full FT, mean fill),
# 'prompt' (mask prompt tuning, depth 3, std-0.02 init) or 'image+prompt'.
clip_name = 'synthworld-vit-s'
# SynthWorld ViT CLIP weights (object names + masked regions), written by
#   python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-vit-s-regions
clip_weights = 'synthworld-vit-s-regions'
model = dict(
    type='MaskAdaptedCLIP',
    trainable='prompt',
    templates='synthworld',
    image_tower=dict(
        type='MaskPromptViT',
        model_name=clip_name,
        pretrained=clip_weights,
        prompt_depth=3,
        prompt_init='normal'),
    text_encoder=dict(type='OVCLIPTextEncoder', model_name=clip_name, pretrained=clip_weights))
