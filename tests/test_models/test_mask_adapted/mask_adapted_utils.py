"""Tiny two-stage segmentor configs and batches (``ovseg-tiny-vit`` CLIP, CPU, no downloads)."""
import copy

import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import ovseg.models  # noqa: F401  (registers the modules)

VOCAB = ('cat', 'dog, puppy', 'tree', 'sky')


def tower_cfg(**overrides) -> dict:
    """MaskPromptViT on ``ovseg-tiny-vit`` (2 blocks, width 64, patch 8, 32 px, D=32)."""
    return dict(dict(type='MaskPromptViT', model_name='ovseg-tiny-vit', prompt_depth=2,
                     with_embeddings=True), **overrides)


def seg_cfg(**overrides) -> dict:
    cfg = dict(
        type='TwoStageOVSegmentor',
        proposal_generator=dict(type='GTMaskProposals'),
        mask_classifier=dict(type='MaskCLIPClassifier', clip=tower_cfg(), chunk_size=4),
        text_classifier=dict(type='TextClassifier', templates='single',
                             text_encoder=dict(type='OVCLIPTextEncoder',
                                               model_name='ovseg-tiny-vit')))
    cfg.update(copy.deepcopy(overrides))
    return cfg


def build_seg(vocab=VOCAB, seed: int = 0, **overrides):
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    torch.manual_seed(seed)
    model = MODELS.build(seg_cfg(**overrides)).eval()
    if vocab is not None:
        model.set_vocabulary(vocab)
    return model


def label_batch(num: int = 2, size=(40, 48), num_classes: int = len(VOCAB), seed: int = 0,
                pad_to=None):
    """Raw RGB inputs (B, 3, H, W) and samples with blocky random label maps."""
    g = torch.Generator().manual_seed(seed)
    h, w = size
    ph, pw = pad_to or size
    inputs = torch.zeros(num, 3, ph, pw)
    inputs[:, :, :h, :w] = torch.rand(num, 3, h, w, generator=g) * 255
    samples = []
    for _ in range(num):
        coarse = torch.randint(0, num_classes, (1, 1, 5, 6), generator=g).float()
        label = torch.nn.functional.interpolate(coarse, size=size, mode='nearest')[0].long()
        label[:, :3] = 255
        meta = dict(img_shape=size, ori_shape=size, pad_shape=(ph, pw))
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=label), metainfo=meta))
    return inputs, samples


class FixedProposals(torch.nn.Module):
    """Stand-in proposal generator returning given masks (and class logits) for every image."""

    def __init__(self, masks, class_logits=None):
        super().__init__()
        self.masks = masks
        self.class_logits = class_logits

    def predict(self, inputs, batch_data_samples, class_embeddings=None):
        from mmengine.structures import InstanceData
        out = []
        for _ in range(inputs.shape[0]):
            data = InstanceData(masks=self.masks)
            if self.class_logits is not None:
                data.class_logits = self.class_logits
            out.append(data)
        return out
