"""Tiny DenseCLIP configs and batches on ``ovseg-tiny-rn``/``ovseg-tiny-vit`` (CPU, offline)."""
import copy

import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import ovseg.models  # noqa: F401  (registers the modules)

VOCAB = ('cat', 'dog', 'tree, bush', 'sky')


def tiny_seg_cfg(arch: str = 'rn', num_classes: int = len(VOCAB), **overrides) -> dict:
    """DenseCLIPSegmentor config with width-16 FPN/decoder on a tiny CLIP."""
    if arch == 'rn':
        backbone = dict(type='CLIPResNet', model_name='ovseg-tiny-rn', with_embeddings=True)
        text_name, concat = 'ovseg-tiny-rn', 3
    else:
        backbone = dict(type='CLIPViT', model_name='ovseg-tiny-vit', out_indices=(0, 1, 1, 1),
                        pyramid=True, with_embeddings=True)
        text_name, concat = 'ovseg-tiny-vit', 1  # patch 8: dense tokens at stride 8
    cfg = dict(
        type='DenseCLIPSegmentor',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[122.771, 116.746, 104.094],
                               std=[68.501, 66.632, 70.323], bgr_to_rgb=True, pad_val=0,
                               seg_pad_val=255),
        backbone=backbone,
        text_encoder=dict(type='OVCLIPTextEncoder', model_name=text_name),
        context_decoder=dict(type='ContextDecoder', transformer_width=16, transformer_heads=2,
                             transformer_layers=1),
        score_concat_index=concat,
        neck=dict(type='FPN', out_channels=16, num_outs=4),
        decode_head=dict(type='FPNHead', in_channels=[16] * 4, in_index=[0, 1, 2, 3],
                         feature_strides=[4, 8, 16, 32], channels=16, dropout_ratio=0.1,
                         num_classes=num_classes, norm_cfg=dict(type='BN', requires_grad=True),
                         align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
        identity_head=dict(type='IdentityHead'),
        test_cfg=dict(mode='whole'))
    cfg.update(copy.deepcopy(overrides))
    return cfg


def build_seg(arch: str = 'rn', vocab=VOCAB, seed: int = 0, **overrides):
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    torch.manual_seed(seed)
    model = MODELS.build(tiny_seg_cfg(arch, **overrides))
    if vocab is not None:
        model.set_vocabulary(vocab)
    return model


def seg_batch(num: int = 2, size=(64, 64), num_classes: int = len(VOCAB), seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(num, 3, *size, generator=g)
    samples = []
    for _ in range(num):
        label = torch.randint(0, num_classes, (1, *size), generator=g)
        label[:, :4] = 255
        meta = dict(img_shape=size, ori_shape=size, pad_shape=size, padding_size=[0, 0, 0, 0])
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=label), metainfo=meta))
    return inputs, samples


def tiny_det_cfg(kind: str = 'retinanet', num_classes: int = len(VOCAB)) -> dict:
    """DenseCLIP RetinaNet / Mask R-CNN config (the COCO base config) shrunk to tiny RN."""
    import os.path as osp

    from mmengine.config import Config
    base = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models',
                    f'denseclip-{kind}_r50.py')
    cfg = Config.fromfile(base)
    w = 16
    cfg.merge_from_dict(dict(model=dict(
        backbone=dict(model_name='ovseg-tiny-rn', pretrained=None, image_size=256),  # crop: 8x8
        text_encoder=dict(model_name='ovseg-tiny-rn', pretrained=None),
        context_decoder=dict(transformer_width=w, transformer_heads=2, transformer_layers=1),
        neck=dict(in_channels=None, out_channels=w))))
    model = cfg.model
    if kind == 'retinanet':
        model.bbox_head.update(num_classes=num_classes, in_channels=w, feat_channels=w,
                               stacked_convs=1)
    else:
        model.rpn_head.update(in_channels=w, feat_channels=w)
        model.roi_head.bbox_roi_extractor.out_channels = w
        model.roi_head.bbox_head.update(in_channels=w, fc_out_channels=32,
                                        num_classes=num_classes)
        model.roi_head.mask_roi_extractor.out_channels = w
        model.roi_head.mask_head.update(in_channels=w, conv_out_channels=w,
                                        num_classes=num_classes)
    return model


def det_batch(num: int = 2, size=(64, 64), seed: int = 0, with_mask: bool = False):
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(num, 3, *size, generator=g)
    samples = []
    for _ in range(num):
        xy = torch.randint(0, size[1] // 2, (3, 2), generator=g).float()
        wh = torch.randint(8, size[1] // 2, (3, 2), generator=g).float()
        inst = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                            labels=torch.randint(0, len(VOCAB), (3,), generator=g))
        if with_mask:
            masks = torch.zeros(3, *size, dtype=torch.uint8)
            for m, (x1, y1, x2, y2) in zip(masks, inst.bboxes.long().tolist()):
                m[y1:y2, x1:x2] = 1
            inst.masks = BitmapMasks(masks.numpy(), *size)
        meta = dict(img_shape=size, ori_shape=size, pad_shape=size, batch_input_shape=size,
                    scale_factor=(1.0, 1.0))
        samples.append(DetDataSample(gt_instances=inst, metainfo=meta))
    return inputs, samples


def save_tiny_seg(root, pipeline, *, classes=VOCAB) -> tuple:
    """Write ``root/tiny.py`` (a tiny RN DenseCLIP with ``pipeline`` as its test pipeline) and
    ``root/tiny.pth`` (its weights, ``classes`` in the checkpoint's metainfo unless None), as
    inferencer and demo tests load a trained model; returns (config, checkpoint) paths."""
    import os.path as osp

    from mmengine.config import Config
    config, checkpoint = osp.join(str(root), 'tiny.py'), osp.join(str(root), 'tiny.pth')
    Config(dict(model=tiny_seg_cfg('rn'), default_scope='mmseg',
                test_pipeline=pipeline)).dump(config)
    saved = dict(state_dict=build_seg('rn').state_dict())
    if classes is not None:
        saved['meta'] = dict(dataset_meta=dict(classes=list(classes)))
    torch.save(saved, checkpoint)
    return config, checkpoint
