_base_ = './denseclip_r50.py'
# CLIP ViT-B/16: blocks 3/5/7/11 resampled to strides 4-32, dense tokens at stride 16,
# score map concatenated to the stride-16 level (score_concat_index=2).
clip_name = 'ViT-B-16-quickgelu'
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        model_name=clip_name,
        pretrained='openai',
        image_size=640,  # positional grid 40x40, as the original input_resolution=640
        out_indices=(3, 5, 7, 11),
        pyramid=True,
        with_embeddings=True,
        drop_path_rate=0.1,  # stochastic depth, 0 -> 0.1 over the blocks, as the original
        class_embedding_twice=False),  # converted original checkpoints fold it in: keep False
    text_encoder=dict(model_name=clip_name),
    score_concat_index=2)
