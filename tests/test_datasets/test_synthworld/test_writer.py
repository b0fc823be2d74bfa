"""ovseg.datasets.synthworld.writer: the written COCO masks agree with the semantic maps
(checked with pycocotools)."""
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from ovseg.datasets.synthworld import SYNTHWORLD_THINGS


def test_coco_masks_match_semantic_map(synthworld_root):
    coco = COCO(osp.join(synthworld_root, 'annotations', 'instances_val.json'))
    assert sorted(coco.getCatIds()) == list(range(1, len(SYNTHWORLD_THINGS) + 1))
    for image in coco.loadImgs(coco.getImgIds()):
        labels = np.asarray(Image.open(
            osp.join(synthworld_root, 'ann_dir', 'val', image['file_name'])))
        union = np.zeros_like(labels, dtype=bool)
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=image['id'])):
            mask = coco.annToMask(ann).astype(bool)
            assert ann['iscrowd'] == 0 and ann['area'] == mask.sum() > 0
            assert (labels[mask] == ann['category_id'] - 1).all()
            x, y, w, h = ann['bbox']
            assert np.array_equal(mask_utils.toBbox(mask_utils.encode(
                np.asfortranarray(mask.astype(np.uint8)))), [x, y, w, h])
            union |= mask
        assert np.array_equal(union, labels < len(SYNTHWORLD_THINGS))
