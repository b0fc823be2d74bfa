"""Turn rendered scenes into SynthWorld's files on disk (standard formats, deterministic bytes).

Per image (:func:`save_scene`): ``img_dir/<split>/<name>.png`` (RGB) and
``ann_dir/<split>/<name>.png`` (uint8 labels into ``SYNTHWORLD_SEG_CLASSES``, 255 ignore) plus a
JSON-ready record. Per split (:func:`write_split`), under ``annotations/``:

- ``instances_<split>.json``: COCO instances (``bbox`` xywh, compressed-RLE ``segmentation``,
  ``area``, ``iscrowd`` 0; categories carry ``synonyms`` and ``seen``);
- ``attributes_<split>.json``: VAW-style ``instances`` (``image_id``, ``instance_id`` = COCO
  annotation id, ``object_name``, ``category_id``, ``box`` xywh, ``positive_attributes``,
  ``negative_attributes``) and ``attributes`` (``id``, ``name``, ``type``, ``seen``);
- ``text_<split>.json``: ``images`` with ``words`` (``text``, ``rendered``, ``polygon``
  [x1, y1, ..., x4, y4], ``font``, ``font_size``, ``angle``) and ``queries`` (``query``,
  ``image_ids``) for every word that occurs;
- ``captions_<split>.json``: COCO captions (``images``, ``annotations`` with ``caption``).

In the ``train`` split the unseen things are 255 in label maps and absent from the COCO and
attribute files, and unseen attributes are neither positive nor negative (unknown).
"""
import json
import os
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from .vocab import (ATTRIBUTE_PARENT, SYNTHWORLD_ATTRIBUTES, SYNTHWORLD_SYNONYM_LISTS,
                    SYNTHWORLD_THINGS, SYNTHWORLD_WORDS, UNSEEN_ATTRIBUTES, UNSEEN_THINGS)

IGNORE_INDEX = 255
SPLITS = ('train', 'val')
_UNSEEN_LABELS = [SYNTHWORLD_THINGS.index(c) for c in UNSEEN_THINGS]


def _labelled(split: str, name: str) -> bool:
    """Whether a thing or attribute ``name`` may carry a label in ``split``."""
    return split != 'train' or name not in UNSEEN_THINGS + UNSEEN_ATTRIBUTES


def _save_png(array: np.ndarray, path: str) -> None:
    Image.fromarray(array).save(path, format='PNG', compress_level=6)


def save_scene(scene, *, out_dir: str, split: str, name: str) -> dict:
    """Write one scene's image and label map; return its JSON-ready annotation record.

    Args:
        scene (Scene): A rendered scene.
        out_dir (str): Dataset root.
        split (str): ``'train'`` or ``'val'``.
        name (str): File stem, e.g. ``'000012'``.

    Returns:
        dict: ``file_name``, ``width``, ``height``, ``objects`` (labelled ones only),
        ``words`` and ``captions``; ids are assigned later by :func:`write_split`.
    """
    labels = scene.semantic.copy()
    if split == 'train':
        labels[np.isin(labels, _UNSEEN_LABELS)] = IGNORE_INDEX
    record = save_caption_scene(scene, out_dir=out_dir, split=split, name=name)
    _save_png(labels, osp.join(out_dir, 'ann_dir', split, name + '.png'))
    objects = []
    for obj in scene.objects:
        if not _labelled(split, obj.category):
            continue
        rle = mask_utils.encode(np.asfortranarray(obj.mask, dtype=np.uint8))
        objects.append(dict(
            category_id=SYNTHWORLD_THINGS.index(obj.category) + 1,
            object_name=obj.category,
            bbox=[float(x) for x in mask_utils.toBbox(rle)],
            area=int(obj.mask.sum()),
            segmentation=dict(size=[int(s) for s in rle['size']],
                              counts=rle['counts'].decode('ascii')),
            positive_attributes=sorted(a for a in obj.attributes.values()
                                       if _labelled(split, a)),
            negative_attributes=sorted(a for a in obj.negatives if _labelled(split, a))))
    words = [dict(text=w.text, rendered=w.rendered, font=w.font, font_size=w.font_size,
                  angle=w.angle, polygon=[round(float(c), 2) for c in w.polygon.reshape(-1)])
             for w in scene.words]
    return dict(record, objects=objects, words=words)


def save_caption_scene(scene, *, out_dir: str, split: str, name: str) -> dict:
    """Write one scene's image only; return its record with captions (no labels of any kind).

    Close-up scenes are caption data, as web alt-text: :func:`write_captions` writes them and
    no label map, box or attribute of theirs is stored. :func:`save_scene` adds the labels.
    """
    _save_png(scene.image, osp.join(out_dir, 'img_dir', split, name + '.png'))
    height, width = scene.image.shape[:2]
    return dict(file_name=name + '.png', width=width, height=height, captions=scene.captions)


def write_captions(records: list, *, out_dir: str, split: str, info: dict) -> dict:
    """Write ``annotations/captions_<split>.json`` (COCO captions layout).

    Args:
        records (list): records with ``file_name``, ``width``, ``height`` and ``captions``, in
            image order; image ``k`` gets id ``k + 1``.
        out_dir (str): Dataset root.
        split (str): Split name of the file.
        info (dict): Generation settings stored as ``info``.

    Returns:
        dict: Counts written: ``images``, ``captions``.
    """
    images, captions = [], []
    for image_id, record in enumerate(records, start=1):
        images.append(dict(id=image_id, file_name=record['file_name'], width=record['width'],
                           height=record['height']))
        captions += [dict(id=len(captions) + k + 1, image_id=image_id, caption=c)
                     for k, c in enumerate(record['captions'])]
    folder = osp.join(out_dir, 'annotations')
    os.makedirs(folder, exist_ok=True)
    _dump(dict(info=dict(info, split=split, description='SynthWorld'), images=images,
               annotations=captions), osp.join(folder, f'captions_{split}.json'))
    return dict(images=len(images), captions=len(captions))


def _categories() -> list:
    return [dict(id=i + 1, name=c, supercategory='shape',
                 synonyms=list(SYNTHWORLD_SYNONYM_LISTS[c]),
                 seen=c not in UNSEEN_THINGS)
            for i, c in enumerate(SYNTHWORLD_THINGS)]


def _dump(obj: dict, path: str) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, sort_keys=True, separators=(',', ':'))
        f.write('\n')


def write_split(records: list, *, out_dir: str, split: str, info: dict) -> dict:
    """Write the four annotation JSON files of one split.

    Args:
        records (list): :func:`save_scene` records in image order; image ``k`` gets id ``k + 1``.
        out_dir (str): Dataset root.
        split (str): ``'train'`` or ``'val'``.
        info (dict): Generation settings stored as ``info`` in every file.

    Returns:
        dict: Counts written: ``images``, ``instances``, ``words``, ``captions``.
    """
    info = dict(info, split=split, description='SynthWorld')
    images, instances, attributes, texts = [], [], [], []
    relevant = {}
    for image_id, record in enumerate(records, start=1):
        image = dict(id=image_id, file_name=record['file_name'], width=record['width'],
                     height=record['height'])
        images.append(image)
        for obj in record['objects']:
            ann_id = len(instances) + 1
            instances.append(dict(id=ann_id, image_id=image_id, iscrowd=0,
                                  category_id=obj['category_id'], bbox=obj['bbox'],
                                  area=obj['area'], segmentation=obj['segmentation']))
            attributes.append(dict(image_id=image_id, instance_id=ann_id,
                                   object_name=obj['object_name'],
                                   category_id=obj['category_id'], box=obj['bbox'],
                                   positive_attributes=obj['positive_attributes'],
                                   negative_attributes=obj['negative_attributes']))
        texts.append(dict(image, words=record['words']))
        for word in record['words']:
            relevant.setdefault(word['text'], set()).add(image_id)

    folder = osp.join(out_dir, 'annotations')
    os.makedirs(folder, exist_ok=True)
    categories = _categories()
    _dump(dict(info=info, licenses=[], images=images, annotations=instances,
               categories=categories), osp.join(folder, f'instances_{split}.json'))
    _dump(dict(info=info, images=images, categories=categories, instances=attributes,
               attributes=[dict(id=i, name=a, type=ATTRIBUTE_PARENT[a],
                                seen=a not in UNSEEN_ATTRIBUTES)
                           for i, a in enumerate(SYNTHWORLD_ATTRIBUTES)]),
          osp.join(folder, f'attributes_{split}.json'))
    queries = [dict(query=w, image_ids=sorted(ids)) for w, ids in sorted(relevant.items())]
    _dump(dict(info=info, images=texts, vocabulary=list(SYNTHWORLD_WORDS), queries=queries),
          osp.join(folder, f'text_{split}.json'))
    captions = write_captions(records, out_dir=out_dir, split=split, info=info)
    return dict(images=len(images), instances=len(instances),
                words=sum(len(t['words']) for t in texts), captions=captions['captions'])
