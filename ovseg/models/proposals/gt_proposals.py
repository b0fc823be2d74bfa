"""Ground-truth masks as class-agnostic proposals (oracle stage 1)."""
from typing import List, Optional, Sequence

import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from mmseg.registry import MODELS
from torch import Tensor

from ..utils.masks import label_map_masks


@MODELS.register_module()
class GTMaskProposals(BaseModule):
    """One proposal per class present in the ground-truth label map.

    The oracle-mask setting of OVSeg's bottleneck analysis
    (https://arxiv.org/abs/2210.04150, Sec. 4.3, "GT masks with the original CLIP"): the
    masks are perfect, so the mIoU measures the mask classifier alone. Follows the
    proposal-generator interface of this package (``predict`` only; no
    class logits, nothing to train).

    Args:
        ignore_index (int): label of unlabelled pixels, never a proposal. Defaults to 255.
        min_area (int): smallest mask kept, in label-map pixels. Defaults to 1.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, ignore_index: int = 255, min_area: int = 1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.ignore_index = ignore_index
        self.min_area = min_area

    def predict(self, inputs: Tensor, batch_data_samples: Sequence,
                class_embeddings: Optional[Tensor] = None) -> List[InstanceData]:
        """Masks of the labels in each sample's ``gt_sem_seg``.

        Args:
            inputs (Tensor): (B, 3, H, W) images (only the size is used).
            batch_data_samples (Sequence[SegDataSample]): with ``gt_sem_seg`` (1, h0, w0)
                (any size: test pipelines load it at the original size; it is resized,
                nearest, to ``img_shape``) and ``img_shape``.
            class_embeddings (Tensor, optional): unused. Defaults to None.

        Returns:
            list[InstanceData]: per image ``masks`` (Q, H, W) float {0, 1} at the input
            size (zero in the padding) and ``gt_labels`` (Q,) long.
        """
        height, width = inputs.shape[-2:]
        results = []
        for sample in batch_data_samples:
            label_map = sample.gt_sem_seg.data[0]  # (h0, w0)
            img_h, img_w = sample.metainfo.get('img_shape', (height, width))[:2]
            if tuple(label_map.shape) != (img_h, img_w):
                label_map = F.interpolate(label_map[None, None].float(), size=(img_h, img_w),
                                          mode='nearest')[0, 0].long()
            masks, labels = label_map_masks(label_map, self.ignore_index)  # (Q, h, w), (Q,)
            keep = masks.flatten(1).sum(dim=1) >= self.min_area
            masks, labels = masks[keep], labels[keep]
            masks = F.pad(masks.float(), (0, width - img_w, 0, height - img_h)).to(inputs.device)
            results.append(InstanceData(masks=masks, gt_labels=labels.to(inputs.device)))
        return results
