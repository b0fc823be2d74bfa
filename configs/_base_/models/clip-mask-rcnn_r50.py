_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
# "RN50-CLIP" Mask R-CNN baseline of DenseCLIP: CLIP RN50 trunk (attention pool unused), no text.
model = dict(
    data_preprocessor=dict(mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323]),
    backbone=dict(
        _delete_=True, type='CLIPResNet', model_name='RN50-quickgelu', pretrained='openai',
        image_size=1344))
