"""Image-caption dataset of SynthWorld, with object boxes for zero-shot crop evaluation."""
import os.path as osp
from typing import List

from mmengine.dataset import BaseDataset
from mmengine.fileio import join_path, load
from mmengine.registry import DATASETS
from mmengine.utils import is_abs

from .vocab import thing_metainfo


@DATASETS.register_module()
class SynthWorldCaptionDataset(BaseDataset):
    """SynthWorld images with their captions (``annotations/captions_<split>.json``).

    Each item is a dict with ``img_path``, ``img_id``, ``height``, ``width``, ``captions``
    (list[str]; every category and attribute, seen or unseen, may be named) and
    ``instances``: one dict per labelled object from ``instance_file`` with ``bbox``
    (x1, y1, x2, y2 pixels), ``bbox_label`` (index into ``metainfo['classes']``) and
    ``ignore_flag`` 0, the layout mmdet transforms read. Without ``instance_file`` the list
    is empty. A transform pipeline (``LoadImageFromFile`` and so on) runs on top.

    Args:
        instance_file (str): COCO instances JSON, relative to ``data_root`` unless absolute;
            '' for no boxes. Defaults to ''.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments, e.g. ``data_root``,
            ``ann_file='annotations/captions_val.json'``,
            ``data_prefix=dict(img_path='img_dir/val')``, ``pipeline``.

    Examples:
        >>> SynthWorldCaptionDataset(lazy_init=True).metainfo['classes'][0]
        'circle'
    """
    METAINFO = thing_metainfo()

    def __init__(self, *, instance_file: str = '', **kwargs) -> None:
        self.instance_file = instance_file
        super().__init__(**kwargs)

    def _join_prefix(self) -> None:
        super()._join_prefix()
        if self.instance_file and not is_abs(self.instance_file) and self.data_root:
            self.instance_file = join_path(self.data_root, self.instance_file)

    def _load_instances(self) -> dict:
        """Map image id to its instance dicts (boxes in x1, y1, x2, y2)."""
        if not self.instance_file:
            return {}
        coco = load(self.instance_file)
        labels = {c['id']: self.metainfo['classes'].index(c['name'])
                  for c in coco['categories'] if c['name'] in self.metainfo['classes']}
        instances = {}
        for ann in coco['annotations']:
            if ann['category_id'] in labels:
                x, y, w, h = ann['bbox']
                instances.setdefault(ann['image_id'], []).append(
                    dict(bbox=[x, y, x + w, y + h], bbox_label=labels[ann['category_id']],
                         ignore_flag=0))
        return instances

    def load_data_list(self) -> List[dict]:
        """Read the captions (and boxes) into one dict per image."""
        data = load(self.ann_file)
        captions = {}
        for ann in data['annotations']:
            captions.setdefault(ann['image_id'], []).append(ann['caption'])
        instances = self._load_instances()
        return [dict(img_path=osp.join(self.data_prefix.get('img_path', ''), image['file_name']),
                     img_id=image['id'], height=image['height'], width=image['width'],
                     captions=captions.get(image['id'], []),
                     instances=instances.get(image['id'], []))
                for image in data['images']]
