_base_ = './denseclip_r50.py'
# DenseCLIP on the SynthWorld CLIP 'synthworld-rn-s' (ModifiedResNet [1,1,1,1] x width 24:
# C2-C5 = 96/192/384/768 at strides 4-32, attention pool, D=128; text 3x128), pretrained by
# `make quickstart` (configs/synthworld/synthclip_rn-s_synthworld-96.py). As the original RN
# DenseCLIP, the score map is concatenated to C5 (score_concat_index=3).
clip_name = 'synthworld-rn-s'
clip_weights = 'synthworld-rn-s'
model = dict(
    backbone=dict(
        model_name=clip_name,
        pretrained=clip_weights,
        image_size=128,  # attention-pool grid 4x4 at the 128 crop (pretrained at 96: 3x3)
        with_embeddings=True),
    text_encoder=dict(model_name=clip_name, pretrained=clip_weights),
    context_decoder=dict(transformer_width=64, transformer_heads=4, transformer_layers=3),
    # 8 contexts + 8 name positions: synonyms such as 'six-sided polygon' need 4 BPE tokens
    text_length=16,
    score_concat_index=3,
    neck=dict(out_channels=64),
    decode_head=dict(in_channels=[64] * 4, channels=64, num_classes=21))
