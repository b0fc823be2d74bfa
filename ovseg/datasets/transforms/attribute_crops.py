"""Object crops for attribute recognition (CLIP-Attr): crop a sample's box, pack its labels."""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS
from mmengine.structures import BaseDataElement

from .formatting import _to_chw


def check_label_spaces(label_spaces: Sequence[str]) -> Tuple[str, ...]:
    """``label_spaces`` as a tuple, or a ``ValueError`` unless a non-empty subset of
    ``('attribute', 'category')``."""
    unknown = set(label_spaces) - {'attribute', 'category'}
    if unknown or not label_spaces:
        raise ValueError(f"label_spaces must be a non-empty subset of ('attribute', "
                         f"'category'), got {tuple(label_spaces)}")
    return tuple(label_spaces)


@TRANSFORMS.register_module()
class CropBoxRegion(BaseTransform):
    """Crop ``bbox`` enlarged around its centre, resized keeping aspect, padded to a square.

    CLIP-Attr's crop (https://arxiv.org/abs/2301.09506; the released ``ScaleCrop`` +
    resize + pad): the box is scaled by ``1 + U(low, high)`` in training, by the fixed
    ``scale`` at test (deterministic; the original also crops randomly at test). Pixels come
    from :func:`~ovseg.models.attributes.crops.crop_boxes`, which ``CLIPAttr.predict_boxes``
    uses too.

    Required keys: ``img`` (H, W, 3) uint8, ``bbox`` (x1, y1, x2, y2). Modified: ``img``
    (S, S, 3), ``img_shape``. Added: ``crop_scale`` (float), ``crop_box`` (pixel bounds).

    Args:
        size (int): output side S (the CLIP input size).
        scale (float | tuple[float, float]): fixed factor, or (low, high) of a uniform
            random factor. Defaults to 1.1.
        pad_value (Sequence[float], optional): fill, in the image's channel order. Defaults
            to CLIP's mean in BGR (``LoadImageFromFile`` order), 0 after normalisation.
    """

    def __init__(self, *, size: int, scale: Union[float, Tuple[float, float]] = 1.1,
                 pad_value: Optional[Sequence[float]] = None) -> None:
        self.size = size
        if isinstance(scale, (tuple, list)):
            if len(scale) != 2 or not 0 < scale[0] <= scale[1]:
                raise ValueError(f'scale must be a factor or (low, high), got {scale}')
            self.scale: Tuple[float, float] = (float(scale[0]), float(scale[1]))
        else:
            self.scale = (float(scale), float(scale))
        if pad_value is None:
            # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
            from ovseg.models.clip.normalization import CLIP_MEAN
            pad_value = [round(v) for v in CLIP_MEAN[::-1]]
        self.pad_value = tuple(pad_value)

    def _factor(self) -> float:
        low, high = self.scale
        return low if low == high else float(np.random.uniform(low, high))

    def transform(self, results: dict) -> dict:
        from ovseg.models.attributes.crops import crop_boxes  # see __init__
        factor = self._factor()
        image = torch.from_numpy(np.ascontiguousarray(results['img'])).permute(2, 0, 1)
        box = torch.as_tensor(results['bbox'], dtype=torch.float).reshape(1, 4)
        crop = crop_boxes(image, box, size=self.size, scales=factor, pad_value=self.pad_value)
        results['img'] = crop[0].permute(1, 2, 0).numpy()
        results['img_shape'] = (self.size, self.size)
        results['crop_scale'] = factor
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, scale={self.scale})'


@TRANSFORMS.register_module()
class PackAttributeInputs(BaseTransform):
    """Pack one object crop and its attribute / category labels for ``CLIPAttr``.

    Output ``inputs``: (3, S, S) uint8 crop. Output ``data_samples``: a ``BaseDataElement``
    with ``gt_attributes`` (A,) int64 (1 positive, 0 negative, -1 unknown; from
    ``attribute_targets``, all -1 if absent), ``gt_label`` () int64 (``bbox_label``, -1 if
    absent), and metainfo ``label_spaces`` plus ``meta_keys``.

    Args:
        label_spaces (Sequence[str]): what this dataset annotates, for federated training:
            ``'attribute'`` and/or ``'category'``. Defaults to both.
        num_attributes (int, optional): A, needed only when a dataset gives no
            ``attribute_targets``. Defaults to None.
        meta_keys (Sequence[str]): results keys copied to the metainfo when present.
    """

    def __init__(self, *, label_spaces: Sequence[str] = ('attribute', 'category'),
                 num_attributes: Optional[int] = None,
                 meta_keys: Sequence[str] = ('img_path', 'img_id', 'instance_id', 'bbox',
                                             'ori_shape', 'img_shape', 'crop_scale')) -> None:
        self.label_spaces = check_label_spaces(label_spaces)
        self.num_attributes = num_attributes
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        metainfo = {k: results[k] for k in self.meta_keys if k in results}
        metainfo['label_spaces'] = self.label_spaces
        sample = BaseDataElement(metainfo=metainfo)
        if 'attribute_targets' in results:
            targets = torch.as_tensor(np.asarray(results['attribute_targets']), dtype=torch.long)
        elif self.num_attributes is not None:
            targets = torch.full((self.num_attributes,), -1, dtype=torch.long)
        else:
            raise KeyError('the sample has no "attribute_targets"; give num_attributes')
        sample.gt_attributes = targets
        sample.gt_label = torch.tensor(int(results.get('bbox_label', -1)), dtype=torch.long)
        return dict(inputs=_to_chw(results['img']), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(label_spaces={self.label_spaces})'
