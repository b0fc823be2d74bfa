"""Mined (masked region, noun) pairs for mask-adapted CLIP fine-tuning: writer, reader, transforms.

:class:`RegionPairWriter` writes what the caption miner
(``ovseg.models.mask_adapted.mining``) or ``tools/mine_region_pairs.py`` found;
:class:`MaskedRegionDataset` reads it: ``pairs.tsv`` with ``filepath`` (mean-filled crop, PNG), ``title`` (the noun), ``mask_path`` (PNG, 255 = region)
and ``category``; OVSeg's own CSVs (``filepath``/``title`` only) load too, with an all-one
mask.
"""
import csv
import os
import os.path as osp
from typing import Iterable, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS, TRANSFORMS
from mmengine.structures import BaseDataElement
from PIL import Image

PAIR_COLUMNS = ('filepath', 'title', 'mask_path', 'category', 'image_id', 'score')


class RegionPairWriter:
    """Write mined pairs as PNG crops, PNG masks and ``pairs.tsv`` under ``out_dir``.

    Use as a context manager; paths in the TSV are relative to ``out_dir``.
    """

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.count = 0
        self._file = None
        self._writer = None

    def __enter__(self) -> 'RegionPairWriter':
        for folder in ('crops', 'masks'):
            os.makedirs(osp.join(self.out_dir, folder), exist_ok=True)
        self._file = open(osp.join(self.out_dir, 'pairs.tsv'), 'w', newline='', encoding='utf-8')
        self._writer = csv.writer(self._file, delimiter='\t')
        self._writer.writerow(PAIR_COLUMNS)
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def write(self, image_id, pairs: Iterable[dict]) -> None:
        """Save the crops and masks of one image's pairs and append their rows.

        Args:
            image_id: the image's id, in file names and the ``image_id`` column.
            pairs (Iterable[dict]): ``noun``, ``category``, ``index`` (proposal), ``score``,
                ``crop`` (S, S, 3) uint8 RGB and ``mask`` (S, S) uint8 {0, 255}, as
                ``CaptionRegionMiner.mine`` returns them.
        """
        for k, pair in enumerate(pairs):
            stem = f'{image_id}_{k}_{pair["index"]}'
            crop_path = osp.join('crops', stem + '.png')
            mask_path = osp.join('masks', stem + '.png')
            Image.fromarray(pair['crop']).save(osp.join(self.out_dir, crop_path))
            Image.fromarray(pair['mask']).save(osp.join(self.out_dir, mask_path))
            self._writer.writerow((crop_path, pair['noun'], mask_path, pair['category'],
                                   image_id, f'{pair["score"]:.4f}'))
            self.count += 1


@DATASETS.register_module()
class MaskedRegionDataset(BaseDataset):
    """Region-noun pairs from a tab-separated file.

    Each item: ``img_path``, ``mask_path`` (or None), ``text`` (the noun), ``category`` and
    ``gt_label``: the index of ``category`` in ``metainfo['classes']`` (-1 when absent),
    used by zero-shot evaluation on labelled regions.

    Args:
        metainfo_from (str, optional): registered dataset whose ``METAINFO`` (classes,
            synonyms, seen flags) this dataset takes, e.g. ``'SynthWorldSegDataset'`` or
            ``'ADE20KDataset'``; entries of ``metainfo`` win. Defaults to None.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``ann_file`` =
            ``pairs.tsv`` relative to ``data_root``, ``metainfo``, ``pipeline``, ...).
    """

    def __init__(self, *, metainfo_from: Optional[str] = None, **kwargs) -> None:
        if metainfo_from is not None:
            from mmseg.registry import DATASETS as SEG_DATASETS  # searches mmengine's too
            source = SEG_DATASETS.get(metainfo_from)
            if source is None:
                raise KeyError(f'metainfo_from={metainfo_from!r} is not a registered dataset')
            kwargs['metainfo'] = dict(source.METAINFO, **(kwargs.get('metainfo') or {}))
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Rows of the TSV; paths are relative to the file's folder."""
        root = osp.dirname(self.ann_file)
        classes = list(self.metainfo.get('classes', ()))
        with open(self.ann_file, newline='', encoding='utf-8') as file:
            rows = list(csv.DictReader(file, delimiter='\t'))
        items = []
        for row in rows:
            category = row.get('category') or row['title']
            items.append(dict(
                img_path=osp.join(root, row['filepath']),
                mask_path=osp.join(root, row['mask_path']) if row.get('mask_path') else None,
                text=row['title'], category=category,
                gt_label=classes.index(category) if category in classes else -1))
        return items


@TRANSFORMS.register_module()
class LoadRegionMask(BaseTransform):
    """Load ``mask_path`` as ``region_mask`` (H, W) uint8 {0, 1}; all ones without a file."""

    def transform(self, results: dict) -> dict:
        path = results.get('mask_path')
        if path:
            mask = mmcv.imread(path, flag='grayscale')
            results['region_mask'] = (mask > 127).astype(np.uint8)
        else:
            results['region_mask'] = np.ones(results['img'].shape[:2], np.uint8)
        return results


@TRANSFORMS.register_module()
class RegionRandomResizedCrop(BaseTransform):
    """``RandomResizedCrop`` of image (bicubic) and region mask (nearest).

    OVSeg's CLIP fine-tuning augmentation: scale (0.9, 1.0) of the area, aspect ratio
    (3/4, 4/3), resized to ``size``. With ``scale=(1, 1)`` and ``ratio=(1, 1)`` on a
    square crop it is a plain resize.

    Args:
        size (int): output side.
        scale (tuple[float, float]): area fraction range. Defaults to (0.9, 1.0).
        ratio (tuple[float, float]): aspect ratio range. Defaults to (3/4, 4/3).
    """

    def __init__(self, *, size: int, scale: Tuple[float, float] = (0.9, 1.0),
                 ratio: Tuple[float, float] = (3 / 4, 4 / 3)) -> None:
        self.size = size
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def _window(self, height: int, width: int) -> Tuple[int, int, int, int]:
        from torchvision.transforms import RandomResizedCrop
        return RandomResizedCrop.get_params(torch.empty(1, height, width), list(self.scale),
                                            list(self.ratio))

    def transform(self, results: dict) -> dict:
        img = results['img']
        top, left, h, w = self._window(*img.shape[:2])
        size = (self.size, self.size)
        results['img'] = mmcv.imresize(img[top:top + h, left:left + w], size,
                                       interpolation='bicubic')
        results['region_mask'] = mmcv.imresize(
            results['region_mask'][top:top + h, left:left + w], size, interpolation='nearest')
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, scale={self.scale}, ratio={self.ratio})'


@TRANSFORMS.register_module()
class PackRegionInputs(BaseTransform):
    """Pack ``inputs`` (3, S, S) (uint8 BGR) and a sample with ``text``, ``region_mask``
    (S, S) float {0, 1} and ``gt_label`` (long scalar).

    Args:
        meta_keys (Sequence[str]): results keys copied to the metainfo. Defaults to
            ``('img_path', 'category', 'ori_shape', 'img_shape')``.
    """

    def __init__(self, *, meta_keys: Sequence[str] = ('img_path', 'category', 'ori_shape',
                                                      'img_shape')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        sample = BaseDataElement(metainfo={k: results[k] for k in self.meta_keys if k in results})
        sample.text = results['text']
        sample.region_mask = torch.from_numpy(np.ascontiguousarray(results['region_mask'])).float()
        sample.gt_label = torch.tensor(results.get('gt_label', -1), dtype=torch.long)
        img = torch.from_numpy(np.ascontiguousarray(results['img'].transpose(2, 0, 1)))
        return dict(inputs=img, data_samples=sample)


__all__ = ['LoadRegionMask', 'MaskedRegionDataset', 'PAIR_COLUMNS', 'PackRegionInputs',
           'RegionPairWriter', 'RegionRandomResizedCrop']
