# OvarNet (one-stage, distilled from CLIP-Attr) on the SynthWorld ResNet CLIP: frozen image tower
# (C2-C5: 96/192/384/768 channels) + FPN (64) + class-agnostic RPN (anchors from 16 px for the
# 160 px images) + transformer RoI head (RoIAlign 14x14 -> patch merge 7x7 -> [CLS], [REG],
# 3 layers) -> exp(s)*cos against the fixed prompt-learned text embeddings (taken from the
# teacher). Teacher: the CLIP-Attr config; give its weights with
# model.distill.teacher_checkpoint=<CLIP-Attr checkpoint> (None: the config's own init).
clip_name = 'synthworld-rn-s'
width = 64
model = dict(
    type='OvarNet',
    model_name=clip_name,
    pretrained=clip_name,
    num_context_tokens=30,
    category_type='shape',
    freeze_text=True,
    loss=dict(type='FederatedAttributeLoss', unknown_weight=0.15),
    distill=dict(
        teacher_config='configs/attributes/clip-attr_synthclip-rn-s_synthworld.py',
        teacher_checkpoint=None,
        attribute_weight=0.5,
        category_weight=1.0,
        temperature=1.0,
        text_from_teacher=True),
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[122.771, 116.746, 104.094],
        std=[68.501, 66.632, 70.323],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(type='CLIPResNet', freeze_all=True, out_indices=(0, 1, 2, 3)),
    neck=dict(type='FPN', in_channels=[96, 192, 384, 768], out_channels=width, num_outs=5),
    rpn_head=dict(
        type='RPNHead',
        in_channels=width,
        feat_channels=width,
        anchor_generator=dict(
            type='AnchorGenerator', scales=[4], ratios=[0.5, 1.0, 2.0],
            strides=[4, 8, 16, 32, 64]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    roi_head=dict(
        type='OvarNetRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=width,
            featmap_strides=[4, 8, 16, 32]),
        num_layers=3,
        num_heads=4,
        feedforward_channels=256,
        merge_patches=True,
        dropout=0.1,
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0)),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(
                type='MaxIoUAssigner', pos_iou_thr=0.7, neg_iou_thr=0.3, min_pos_iou=0.3,
                match_low_quality=True, ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler', num=128, pos_fraction=0.5, neg_pos_ub=-1,
                add_gt_as_proposals=False),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        rpn_proposal=dict(
            nms_pre=1000, max_per_img=500, nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssigner', pos_iou_thr=0.6, neg_iou_thr=0.5, min_pos_iou=0.5,
                match_low_quality=False, ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler', num=128, pos_fraction=0.5, neg_pos_ub=-1,
                add_gt_as_proposals=True))),
    test_cfg=dict(
        rpn=dict(
            nms_pre=1000, max_per_img=300, nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        # boxes_given: score the ground-truth boxes (box-given attribute mAP); False detects.
        rcnn=dict(
            boxes_given=True, score_thr=0.05, nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100)))
