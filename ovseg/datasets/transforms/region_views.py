"""Masked-region views for CLIP pretraining: a labelled region as stage 2 crops it, named.

OVSeg (https://arxiv.org/abs/2210.04150, Sec. 3.1) shows that CLIP misreads masked, mean-filled
crops because it never saw one in pretraining. This view makes such crops part of a SynthWorld
CLIP's pretraining data, with the same cutting as the two-stage test
(:func:`ovseg.models.utils.crop_masked_regions` on the region of one label, as
:func:`ovseg.models.utils.label_map_masks` gives it to the ground-truth proposals),
so the text tower also reads the stuff names (sky, grass, ...) that object crops never give it.
"""
from typing import Optional, Sequence

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS

from ...utils import indefinite_article


@TRANSFORMS.register_module()
class RandomMaskedRegionView(BaseTransform):
    """One labelled region of the label map: tight box, mean fill, paired with ``'a <class>'``.

    A label present in ``gt_seg_map`` on at least ``min_area`` pixels (``ignore_index``
    excluded) is drawn uniformly; its pixels form the region (one region per class, as the
    ground-truth proposals of the two-stage test). The image is cropped to the region's tight
    box, pixels outside the region are set to CLIP's mean pixel, and the crop is resized to
    ``size`` x ``size`` (bicubic), then flipped left-right with ``flip_prob``. The text is the
    bare class name with its article, as the ``synthworld`` prompts write it. Returns None
    (mmengine's dataset then draws another item) when no label qualifies.

    Required keys: ``img`` (H, W, 3) uint8 BGR, ``gt_seg_map`` (H, W) int labels (mmseg's
    ``LoadAnnotations``). Modified: ``img`` (size, size, 3) uint8 BGR, ``img_shape``.
    Added: ``text`` (str), ``region_label`` (int).

    Args:
        size (int): side of the crop. Defaults to 96.
        classes (Sequence[str], optional): class name of each label (first comma-separated
            synonym is used). Defaults to None: the SynthWorld segmentation classes.
        ignore_index (int): unlabelled pixels, never a region. Defaults to 255.
        min_area (int): smallest region drawn, in pixels. Defaults to 64.
        flip_prob (float): left-right flip probability. Defaults to 0.5.

    Examples:
        >>> labels = np.full((32, 32), 255, np.uint8); labels[4:20, 8:16] = 0
        >>> out = RandomMaskedRegionView(size=16, flip_prob=0)(
        ...     dict(img=np.zeros((32, 32, 3), np.uint8), gt_seg_map=labels))
        >>> out['img'].shape, out['text']
        ((16, 16, 3), 'a circle')
    """

    def __init__(self, *, size: int = 96, classes: Optional[Sequence[str]] = None,
                 ignore_index: int = 255, min_area: int = 64, flip_prob: float = 0.5) -> None:
        if classes is None:
            from ..synthworld import SYNTHWORLD_SEG_CLASSES
            classes = SYNTHWORLD_SEG_CLASSES
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.clip.vocabulary import display_name
        self.names = [display_name(c) for c in classes]
        self.size = size
        self.ignore_index = ignore_index
        self.min_area = min_area
        self.flip_prob = flip_prob

    def transform(self, results: dict) -> Optional[dict]:
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.utils import crop_masked_regions, crops_to_pixels, label_map_masks
        masks, labels = label_map_masks(torch.from_numpy(results['gt_seg_map']),
                                        self.ignore_index)  # (Q, H, W) bool, (Q,)
        unknown = [int(v) for v in labels if v >= len(self.names)]
        if unknown:
            raise ValueError(f'gt_seg_map of {results.get("seg_map_path")!r} holds labels '
                             f'{unknown} beyond the {len(self.names)} classes')
        large = (masks.flatten(1).sum(1) >= self.min_area).nonzero()[:, 0]
        if len(large) == 0:
            return None
        pick = int(large[np.random.randint(len(large))])
        rgb = torch.from_numpy(np.ascontiguousarray(results['img'][..., ::-1].transpose(2, 0, 1)))
        crop = crop_masked_regions(rgb.float(), masks[pick:pick + 1].float(), size=self.size,
                                   mask_threshold=0.5).crops
        pixels = crops_to_pixels(crop)[0]  # (3, S, S) RGB
        img = np.ascontiguousarray(pixels.permute(1, 2, 0).numpy()[..., ::-1])  # BGR
        if np.random.rand() < self.flip_prob:
            img = mmcv.imflip(img, direction='horizontal')
        label = int(labels[pick])
        name = self.names[label]
        results.update(img=img, img_shape=img.shape[:2], region_label=label,
                       text=f'{indefinite_article(name)} {name}')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, ignore_index={self.ignore_index}, '
                f'min_area={self.min_area}, flip_prob={self.flip_prob})')
