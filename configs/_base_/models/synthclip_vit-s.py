# SynthWorld CLIP: open_clip 'synthworld-vit-s' (ViT 6x192, patch 16, 96 px; text 3x128; D=128)
# trained with open_clip.ClipLoss. Select other weights with `pretrained` (tag or file).
model = dict(
    type='ContrastiveCLIP',
    model_name='synthworld-vit-s',
    pretrained=None,
    # zero-shot prompts in the words of SynthWorld captions ('a star', 'an arrow'): this text
    # tower never reads 'photo' or 'scene' (ViLD's templates, tools/test.py ...
    # --cfg-options model.templates=vild)
    templates='synthworld',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[122.7709383, 116.7460125, 104.09373615],  # open_clip OPENAI_DATASET_MEAN x 255
        std=[68.5005327, 66.6321579, 70.32316305],
        bgr_to_rgb=True))
