"""Trainable proposal generator: a backbone plus an open-vocabulary MaskFormer-family head."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import InstanceData, PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import Tensor

from ..utils.pretrained_init import StrictPretrainedMixin

_IMAGENET_MEAN = (123.675, 116.28, 103.53)
_IMAGENET_STD = (58.395, 57.12, 57.375)


@MODELS.register_module()
class MaskFormerProposalGenerator(StrictPretrainedMixin, BaseModule):
    """Stage-1 proposals of OVSeg / PMP: Q masks with class logits against the vocabulary.

    OVSeg (https://arxiv.org/abs/2210.04150, Sec. 3.1) trains a MaskFormer whose queries are
    classified by cosine with frozen CLIP text embeddings; PMP (arXiv 2412.10292) additionally
    conditions the decoder on the asked classes (:class:`PromptGuidedMask2FormerHead`).

    ``loss():    normalise -> [sample vocabulary] -> backbone -> [neck] -> head.loss()``
    ``predict(): normalise -> backbone -> [neck] -> head.predict_queries() -> upsample, sigmoid``

    Args:
        backbone (dict): backbone config (mmseg ``ResNet``, ``SwinTransformer``, or an ovseg CLIP
            tower; a CLIP ``(global, dense)`` last output is dropped).
        head (dict): :class:`OpenVocabMaskFormerHead`, :class:`OpenVocabMask2FormerHead` or
            :class:`PromptGuidedMask2FormerHead` config.
        neck (dict, optional): neck config. Defaults to None.
        mean (Sequence[float]): RGB mean subtracted from the raw 0-255 inputs. Defaults to
            ImageNet's.
        std (Sequence[float]): RGB std. Defaults to ImageNet's.
        num_sampled_classes (int, optional): during training, ask for a random subset of this
            many vocabulary classes per batch; ground truth of the other classes is ignored.
            Teaches vocabulary-conditioned heads (PMP) to segment only what is asked.
            Defaults to None (the whole vocabulary).
        ignore_index (int): ignored label of ``gt_sem_seg``. Defaults to 255.
        init_cfg (dict, optional): mmengine init config; ``type='StrictPretrained'`` (a stage-1
            run's weights by name, strictly: :class:`~ovseg.models.utils.StrictPretrainedInit`)
            applies after the submodules' own init. Defaults to None.
    """

    def __init__(self, *, backbone: dict, head: dict, neck: Optional[dict] = None,
                 mean: Sequence[float] = _IMAGENET_MEAN, std: Sequence[float] = _IMAGENET_STD,
                 num_sampled_classes: Optional[int] = None, ignore_index: int = 255,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        self.num_sampled_classes = num_sampled_classes
        self.ignore_index = ignore_index
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1),
                             False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1),
                             False)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Normalised (B, 3, H, W) raw RGB -> backbone (and neck) levels (B, C_i, H_i, W_i)."""
        feats = list(self.backbone((inputs - self.mean) / self.std))
        if feats and isinstance(feats[-1], (tuple, list)):
            feats = feats[:-1]  # CLIP towers' (global, dense) embeddings
        return list(self.neck(feats)) if self.neck is not None else feats

    @staticmethod
    def _head_samples(inputs: Tensor, batch_data_samples: Optional[Sequence],
                      gt: Optional[List[Tensor]] = None) -> List[SegDataSample]:
        """Fresh samples with ``img_shape``/``batch_input_shape`` (and relabelled ground truth)."""
        shape = tuple(inputs.shape[-2:])
        samples = []
        for i in range(inputs.shape[0]):
            meta = dict(batch_data_samples[i].metainfo) if batch_data_samples else {}
            meta.setdefault('img_shape', shape)
            meta['batch_input_shape'] = shape
            sample = SegDataSample(metainfo=meta)
            if gt is not None:
                sample.gt_sem_seg = PixelData(data=gt[i])
            samples.append(sample)
        return samples

    def _sample_vocabulary(self, class_embeddings: Tensor,
                           gts: List[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        """Random class subset (N, D) and ground truth relabelled to it (others ignored)."""
        num = class_embeddings.shape[0]
        if not self.num_sampled_classes or self.num_sampled_classes >= num:
            return class_embeddings, gts
        keep = torch.randperm(num, device=class_embeddings.device)[:self.num_sampled_classes]
        keep = keep.sort().values
        size = max(int(max(g.max() for g in gts)) + 1, num, self.ignore_index + 1)
        lut = torch.full((size,), self.ignore_index, dtype=torch.long, device=gts[0].device)
        lut[keep.to(lut.device)] = torch.arange(len(keep), device=lut.device)
        return class_embeddings[keep], [lut[g.long()] for g in gts]

    def loss(self, inputs: Tensor, batch_data_samples: Sequence,
             class_embeddings: Tensor) -> dict:
        """Head losses on the (optionally subsampled) vocabulary.

        Args:
            inputs (Tensor): (B, 3, H, W) raw RGB in [0, 255].
            batch_data_samples (Sequence[SegDataSample]): with ``gt_sem_seg`` (1, H, W) labels
                indexing ``class_embeddings``.
            class_embeddings (Tensor): (K, D) text embeddings, L2-normalised.

        Returns:
            dict[str, Tensor]: MaskFormer losses.
        """
        gts = [s.gt_sem_seg.data for s in batch_data_samples]
        class_embeddings, gts = self._sample_vocabulary(class_embeddings, gts)
        samples = self._head_samples(inputs, batch_data_samples, gts)
        return self.head.loss(self.extract_feat(inputs), samples, class_embeddings)

    def predict(self, inputs: Tensor, batch_data_samples: Optional[Sequence],
                class_embeddings: Tensor) -> List[InstanceData]:
        """Q proposals per image with their class logits.

        Args:
            inputs (Tensor): (B, 3, H, W) raw RGB in [0, 255] (padded).
            batch_data_samples (Sequence, optional): samples with ``img_shape``.
            class_embeddings (Tensor): (K, D) text embeddings.

        Returns:
            list[InstanceData]: per image ``masks`` (Q, H, W) sigmoid probabilities at the input
            size (bilinear upsampling of the logits first) and ``class_logits`` (Q, K+1),
            last column no-object.
        """
        if class_embeddings is None:
            raise ValueError('MaskFormerProposalGenerator classifies its queries: pass '
                             'class_embeddings (K, D).')
        samples = self._head_samples(inputs, batch_data_samples)
        cls_logits, mask_logits = self.head.predict_queries(
            self.extract_feat(inputs), samples, class_embeddings)  # (B, Q, K+1), (B, Q, h, w)
        mask_logits = F.interpolate(mask_logits, size=inputs.shape[-2:], mode='bilinear',
                                    align_corners=False)  # (B, Q, H, W)
        return [InstanceData(masks=m.sigmoid(), class_logits=c)
                for m, c in zip(mask_logits, cls_logits)]
