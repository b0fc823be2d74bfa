"""Per-object attribute dataset of SynthWorld (VAW-style positives, negatives, unknowns)."""
import os.path as osp
from collections import defaultdict
from typing import List, Optional

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.fileio import load
from mmengine.registry import DATASETS

from .vocab import attribute_metainfo


@DATASETS.register_module()
class SynthWorldAttributeDataset(BaseDataset):
    """SynthWorld objects with attribute labels (``annotations/attributes_<split>.json``).

    One item per annotated object: ``img_path``, ``img_id``, ``instance_id`` (the COCO
    annotation id), ``bbox`` (x1, y1, x2, y2 pixels), ``bbox_label`` (index into
    ``metainfo['classes']``), ``positive_attributes`` and ``negative_attributes`` (names), and
    ``attribute_targets``: (A,) int8 over ``metainfo['attributes']``, 1 positive, 0 negative,
    -1 unknown. Metainfo adds ``attributes``, ``attribute_types`` (parent type of each) and
    ``attribute_seen``. In ``train``, unseen attributes are always -1.

    With ``per_image=True`` (one-stage detectors such as OvarNet) one item per image instead,
    in mmdet's layout: ``img_path``, ``img_id``, ``height``, ``width`` and ``instances``, each
    object's dict above plus ``ignore_flag`` 0, read by ``LoadAttributeAnnotations`` (mmdet's
    ``LoadAnnotations`` plus the attribute targets). Images are in the order of ``images``; an image without
    annotated objects gives an item with no instances.

    With a ``proposal_file`` (per image only, as mmdet's ``BaseDetDataset``) each image
    also gets ``proposals``: ``dict(bboxes=(N, 4) float32)``, the boxes another detector
    dumped for it (``tools/test.py --out``, read by
    :func:`ovseg.apis.detection_results.read_detection_results`, which runs no code from
    the file), in original pixels; mmdet's ``LoadProposals`` and ``PackDetInputs`` carry
    them to ``data_sample.proposals``. Images are matched as mmdet matches them, by folder
    and file name (so a dump made under another ``data_root`` still fits).

    Args:
        per_image (bool): one item per image with its objects as ``instances``.
            Defaults to False (one item per object).
        proposal_file (str, optional): detections or proposals per image (relative paths
            are under ``data_root``). Defaults to None.
        proposal_score_thr (float): proposals scored below it are dropped. Defaults to 0.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments, e.g. ``data_root``,
            ``ann_file='annotations/attributes_val.json'``,
            ``data_prefix=dict(img_path='img_dir/val')``, ``pipeline``.

    Examples:
        >>> SynthWorldAttributeDataset(lazy_init=True).metainfo['attribute_types'][0]
        'color'
    """
    METAINFO = attribute_metainfo()

    def __init__(self, *, per_image: bool = False, proposal_file: Optional[str] = None,
                 proposal_score_thr: float = 0.0, **kwargs) -> None:
        if proposal_file is not None and not per_image:
            raise ValueError('SynthWorldAttributeDataset: proposal_file needs per_image=True '
                             '(proposals are per image)')
        # before BaseDataset.__init__, which loads the list
        self.per_image = per_image
        self.proposal_file = proposal_file
        self.proposal_score_thr = proposal_score_thr
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Read one dict per annotated object (or per image, see ``per_image``)."""
        data = load(self.ann_file)
        files = {image['id']: image['file_name'] for image in data['images']}
        objects = self._objects(data, files)
        if not self.per_image:
            return objects
        by_image = defaultdict(list)
        for obj in objects:
            by_image[obj['img_id']].append(obj)
        images = [dict(img_path=osp.join(self.data_prefix.get('img_path', ''), image['file_name']),
                     img_id=image['id'], height=image['height'], width=image['width'],
                     instances=[dict(obj, ignore_flag=0) for obj in by_image[image['id']]])
                  for image in data['images']]
        if self.proposal_file is not None:
            self._add_proposals(images)
        return images

    def _add_proposals(self, images: List[dict]) -> None:
        """``proposals`` of each image from ``proposal_file`` (see the class docstring)."""
        # imported here: ovseg.apis pulls in the models
        from ovseg.apis.detection_results import DetectionResultsError, read_detection_results
        path = self.proposal_file
        if not osp.isabs(path) and self.data_root:
            path = osp.join(self.data_root, path)
        boxes = {_image_key(image): value for image, value in
                 read_detection_results(path, score_thr=self.proposal_score_thr).items()}
        for image in images:
            key = _image_key(image['img_path'])
            if key not in boxes:
                raise DetectionResultsError(f'proposal file {path} has no boxes for image '
                                            f"{image['img_path']} (matched by {key!r})")
            image['proposals'] = dict(
                bboxes=np.asarray(boxes[key], dtype=np.float32).reshape(-1, 4))

    def _objects(self, data: dict, files: dict) -> List[dict]:
        names = self.metainfo['attributes']
        data_list = []
        for inst in data['instances']:
            targets = np.full(len(names), -1, dtype=np.int8)
            targets[[names.index(a) for a in inst['negative_attributes']]] = 0
            targets[[names.index(a) for a in inst['positive_attributes']]] = 1
            x, y, w, h = inst['box']
            data_list.append(dict(
                img_path=osp.join(self.data_prefix.get('img_path', ''), files[inst['image_id']]),
                img_id=inst['image_id'], instance_id=inst['instance_id'],
                bbox=[x, y, x + w, y + h],
                bbox_label=self.metainfo['classes'].index(inst['object_name']),
                positive_attributes=inst['positive_attributes'],
                negative_attributes=inst['negative_attributes'],
                attribute_targets=targets))
        return data_list


def _image_key(path: str) -> str:
    """mmdet's key of an image in a proposal file (``BaseDetDataset.load_proposals``): its
    folder and file name."""
    folder, name = osp.split(osp.normpath(path))
    return osp.join(osp.basename(folder), name)
