# As fdp_synthclip-rn-s-words_synthworld.py with the 160 px SynthWorld images upsampled 2x to
# 320 px (FDP upsamples to 640 for RN50): the signs' words, 11 px tall at 160 px, come out about
# as large as in the 96 px word crops the CLIP was pretrained on (README).
_base_ = './fdp_synthclip-rn-s-words_synthworld.py'
image_size = 320
model = dict(image_size=image_size)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=False),
    dict(type='GenerateTextKernels', stride=32, shrink_ratio=0.4, min_text_size=8),
    dict(type='SampleQueryWord'),
    dict(type='PackTextRetrievalInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=False),
    dict(type='PackTextRetrievalInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
