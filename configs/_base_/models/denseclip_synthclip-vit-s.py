_base_ = './denseclip_r50.py'
# DenseCLIP on the SynthWorld CLIP 'synthworld-vit-s' (ViT 6x192, patch 16, D=128; text 3x128),
# pretrained by python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-96.py
# --work-dir work_dirs/synthclip-vit-s (registers the weights name 'synthworld-vit-s').
# Blocks 1/2/3/5 -> strides 4/8/16/32; dense tokens and the score map at stride 16.
clip_name = 'synthworld-vit-s'
clip_weights = 'synthworld-vit-s'
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name=clip_name,
        pretrained=clip_weights,
        out_indices=(1, 2, 3, 5),
        pyramid=True,
        with_embeddings=True),
    text_encoder=dict(model_name=clip_name, pretrained=clip_weights),
    context_decoder=dict(transformer_width=64, transformer_heads=4, transformer_layers=3),
    # 8 contexts + 8 name positions: synonyms such as 'six-sided polygon' need 4 BPE tokens
    text_length=16,
    score_concat_index=2,
    neck=dict(out_channels=64),
    decode_head=dict(in_channels=[64] * 4, channels=64, num_classes=21))
