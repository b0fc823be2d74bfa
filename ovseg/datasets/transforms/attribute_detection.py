"""Whole images with boxed, attribute-labelled objects, in mmdet's format: for one-stage
attribute detectors (OvarNet) and box-free attribute evaluation (OVAD). Load the per-object
attribute targets with the boxes, pack them beside mmdet's boxes."""
from typing import Optional, Sequence

import numpy as np
from mmdet.datasets.transforms import LoadAnnotations, PackDetInputs
from mmengine.registry import TRANSFORMS

from .attribute_crops import check_label_spaces


@TRANSFORMS.register_module()
class LoadAttributeAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` (boxes, labels, ignore flags) plus ``gt_attributes``: (M, A)
    int64, 1 / 0 / -1 (positive / negative / unknown), in the order of ``instances``.

    An instance without ``attribute_targets`` gets all -1 (unknown); an image without
    instances gets (0, A), A being ``num_attributes``. Geometric transforms (``Resize``,
    ``RandomFlip``) leave ``gt_attributes`` alone; transforms that drop boxes
    (``FilterAnnotations``, ``RandomCrop``) do not know this key: do not use them with it.

    Args:
        num_attributes (int): A, for images with no instance. Defaults to 0 (then an
            empty image gets (0, 0)).
        **kwargs: ``LoadAnnotations`` arguments (defaults ``with_bbox=True``,
            ``with_label=True``).
    """

    def __init__(self, *, num_attributes: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_attributes = num_attributes

    def transform(self, results: dict) -> dict:
        results = super().transform(results)
        instances = results.get('instances', [])
        size = next((len(i['attribute_targets']) for i in instances
                     if 'attribute_targets' in i), self.num_attributes)
        results['gt_attributes'] = np.stack(
            [np.asarray(i.get('attribute_targets', np.full(size, -1)), dtype=np.int64)
             for i in instances]) if instances else np.zeros((0, size), np.int64)
        return results

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, num_attributes={self.num_attributes})'


@TRANSFORMS.register_module()
class PackDetAttributeInputs(PackDetInputs):
    """mmdet's ``PackDetInputs`` plus per-box attribute targets and the federated flags.

    Adds ``gt_instances.attributes`` (N, A) int64 (from ``gt_attributes``; the rows follow
    the boxes, crowd (ignored) ones into ``ignored_instances``) and two
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
