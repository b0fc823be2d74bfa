"""Attribute labels of every box of an image, for box-free attribute evaluation (mmdet format)."""
import numpy as np
from mmdet.datasets.transforms import LoadAnnotations, PackDetInputs
from mmengine.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadAttributeAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` plus ``gt_attributes``: (M, A) int8, 1 / 0 / -1.

    Reads each instance's ``attribute_targets`` (as ``OVADDataset`` gives per image); an
    instance without one gets all -1 (unknown); an image without instances gets (0, A),
    A being ``num_attributes``.

    Args:
        num_attributes (int): A, for images with no instance. Defaults to 0 (then an
            empty image gets (0, 0)).
        **kwargs: ``LoadAnnotations`` arguments (``with_bbox=True``, ``with_label=True``).
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
            [np.asarray(i.get('attribute_targets', np.full(size, -1)), dtype=np.int8)
             for i in instances]) if instances else np.zeros((0, size), np.int8)
        return results


@TRANSFORMS.register_module()
class PackDetAttributeInputs(PackDetInputs):
    """mmdet's ``PackDetInputs`` that also packs ``gt_attributes`` as ``gt_instances.attributes``.

    ``PackDetInputs`` packs only the keys of its ``mapping_table``; the attribute rows follow
    the boxes, crowd (ignored) ones into ``ignored_instances``.
    """
    mapping_table = dict(PackDetInputs.mapping_table, gt_attributes='attributes')
