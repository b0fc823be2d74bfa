"""Whole images with boxed, attribute-labelled objects for one-stage attribute detectors
(OvarNet): load the per-object attribute targets, pack them beside mmdet's boxes."""
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import PackDetInputs
from mmengine.registry import TRANSFORMS

from .attribute_crops import check_label_spaces


@TRANSFORMS.register_module()
class LoadAttributeAnnotations(BaseTransform):
    """Read each instance's ``attribute_targets`` into ``gt_attributes`` (N, A) int64.

    Goes with mmdet's ``LoadAnnotations`` (boxes, labels, ignore flags), which keeps the
    order of ``instances``; geometric transforms (``Resize``, ``RandomFlip``) leave
    ``gt_attributes`` alone. Transforms that drop boxes (``FilterAnnotations``,
    ``RandomCrop``) do not know this key: do not use them with it.

    Required keys: ``instances`` (each with ``attribute_targets`` (A,) 1 / 0 / -1).
    Added: ``gt_attributes`` (N, A) int64.

    Args:
        num_attributes (int, optional): A; needed only for images without instances.
            Defaults to None (then such images get an (0, 0) array).
    """

    def __init__(self, *, num_attributes: Optional[int] = None) -> None:
        self.num_attributes = num_attributes

    def transform(self, results: dict) -> dict:
        targets = [np.asarray(inst['attribute_targets'], dtype=np.int64)
                   for inst in results.get('instances', [])]
        results['gt_attributes'] = (np.stack(targets) if targets
                                    else np.zeros((0, self.num_attributes or 0), np.int64))
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_attributes={self.num_attributes})'


@TRANSFORMS.register_module()
class PackDetAttributeInputs(PackDetInputs):
    """mmdet's ``PackDetInputs`` plus per-box attribute targets and the federated flags.

    Adds ``gt_instances.attributes`` (N, A) int64 (from ``gt_attributes``) and two
    metainfo entries for federated training (OvarNet, https://arxiv.org/abs/2301.09506,
    Sec. 3.3): ``label_spaces``, the label spaces this dataset annotates (as
    ``PackAttributeInputs``), and ``boxes_exhaustive``: whether every object of the image is
    boxed, so that the RPN and box regression may learn from it (detection data: yes;
    attribute data such as VAW: no).

    Args:
        label_spaces (Sequence[str]): ``'attribute'`` and/or ``'category'``. Defaults to
            both.
        boxes_exhaustive (bool, optional): Defaults to None: True when ``'category'`` is
            among ``label_spaces`` (detection data box every object of its classes).
        meta_keys (Sequence[str]): as ``PackDetInputs``. Defaults to its keys.
    """

    mapping_table = dict(PackDetInputs.mapping_table, gt_attributes='attributes')

    def __init__(self, *, label_spaces: Sequence[str] = ('attribute', 'category'),
                 boxes_exhaustive: Optional[bool] = None,
                 meta_keys: Sequence[str] = ('img_id', 'img_path', 'ori_shape', 'img_shape',
                                             'scale_factor', 'flip', 'flip_direction')) -> None:
        super().__init__(meta_keys=tuple(meta_keys))
        self.label_spaces = check_label_spaces(label_spaces)
        self.boxes_exhaustive = (('category' in self.label_spaces) if boxes_exhaustive is None
                                 else bool(boxes_exhaustive))

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        packed['data_samples'].set_metainfo(dict(label_spaces=self.label_spaces,
                                                 boxes_exhaustive=self.boxes_exhaustive))
        return packed

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(label_spaces={self.label_spaces}, '
                f'boxes_exhaustive={self.boxes_exhaustive})')
