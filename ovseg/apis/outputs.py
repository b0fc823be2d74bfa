"""The files the inferencer writes under ``out_dir``, one set per image ``<stem>``.

- ``preds/<stem>.png``: the label map, pixel value = class id into ``classes``; uint8 when the
  vocabulary has at most 255 classes (no class: 255), else uint16 (no class: 65535);
- ``preds/<stem>.json``: ``image_path``, ``height``, ``width``, ``classes`` (display names),
  ``vocabulary`` (entries with their synonyms), ``class_scores``, ``label_map`` (the PNG,
  relative to ``out_dir``) and ``unlabelled`` (its no-class value);
- ``vis/<stem>.png``: the overlay (mmseg's ``SegLocalVisualizer`` with a legend), and where
  asked ``vis/<stem>_scores.png`` / ``vis/<stem>_proposals.png``.
"""
import json
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np


def label_map_dtype(num_classes: int) -> type:
    """uint8 while the ids 0..K-1 and the no-class value 255 fit in 8 bits, else uint16."""
    if num_classes > 65535:
        raise ValueError(f'{num_classes} classes do not fit a 16-bit label map')
    return np.uint8 if num_classes <= 255 else np.uint16


def write_prediction(out_dir: str, stem: str, pred: dict, views: Optional[dict], *,
                     vocabulary: List[str]) -> dict:
    """Write one image's files (see the module docstring).

    Returns:
        dict: the JSON written.
    """
    dtype = label_map_dtype(len(pred['classes']))
    unlabelled = int(np.iinfo(dtype).max)
    labels = pred['sem_seg']
    os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)
    png = osp.join('preds', f'{stem}.png')
    out = np.where((labels >= 0) & (labels < len(pred['classes'])), labels, unlabelled)
    if not cv2.imwrite(osp.join(out_dir, png), out.astype(dtype)):
        raise OSError(f'cannot write {osp.join(out_dir, png)}')
    info = dict(image_path=pred.get('image_path'), height=int(labels.shape[0]),
                width=int(labels.shape[1]), classes=list(pred['classes']),
                vocabulary=list(vocabulary), class_scores=pred['class_scores'], label_map=png,
                unlabelled=unlabelled)
    with open(osp.join(out_dir, 'preds', f'{stem}.json'), 'w', encoding='utf-8') as file:
        json.dump(info, file, indent=1, ensure_ascii=False)
    if views:
        os.makedirs(osp.join(out_dir, 'vis'), exist_ok=True)
        for key, image in views.items():
            suffix = '' if key == 'overlay' else f'_{key}'
            cv2.imwrite(osp.join(out_dir, 'vis', f'{stem}{suffix}.png'), image[..., ::-1])
    return info
