"""Packing image-text samples for :class:`ovseg.models.pretraining.ContrastiveCLIP`."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS
from mmengine.structures import BaseDataElement


def _to_chw(img: np.ndarray) -> torch.Tensor:
    """(H, W, 3) or (N, H, W, 3) array -> (3, H, W) or (N, 3, H, W) contiguous tensor."""
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(img, -1, -3)))


@TRANSFORMS.register_module()
class PackCaptionInputs(BaseTransform):
    """Pack an image and its texts (and object crops) for the model.

    Output ``inputs``: (3, H, W) tensor of ``img`` (dtype kept, uint8 BGR from
    ``LoadImageFromFile``). Output ``data_samples``: a ``BaseDataElement`` with

    - ``text`` (str): the training text of :class:`RandomCaptionView`, if present;
    - ``negative_text`` (str): its hard negative (another head noun), if present;
    - ``captions`` (list[str]): every caption, if ``pack_captions``;
    - ``crop_inputs`` (N, 3, S, S) uint8 and ``gt_crop_labels`` (N,) int64, from
      :class:`ObjectCrops`, if present;
    - metainfo from ``meta_keys``.

    Args:
        pack_captions (bool): keep all captions (evaluation). Defaults to False.
        meta_keys (Sequence[str]): results keys copied to the metainfo when present.
            Defaults to ``('img_path', 'img_id', 'ori_shape', 'img_shape')``.
    """

    def __init__(self, *, pack_captions: bool = False,
                 meta_keys: Sequence[str] = ('img_path', 'img_id', 'ori_shape',
                                             'img_shape')) -> None:
        self.pack_captions = pack_captions
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        sample = BaseDataElement(metainfo={k: results[k] for k in self.meta_keys if k in results})
        if 'text' in results:
            sample.text = results['text']
        if 'negative_text' in results:
            sample.negative_text = results['negative_text']
        if self.pack_captions:
            sample.captions = list(results.get('captions', []))
        if 'crops' in results:
            sample.crop_inputs = _to_chw(results['crops'])
            sample.gt_crop_labels = torch.as_tensor(results['crop_labels'], dtype=torch.long)
        return dict(inputs=_to_chw(results['img']), data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(pack_captions={self.pack_captions}, '
                f'meta_keys={self.meta_keys})')


@TRANSFORMS.register_module()
class PackTextRetrievalInputs(BaseTransform):
    """Pack a scene-text retrieval sample for :class:`ovseg.models.text_retrieval.FDPRetriever`.

    Output ``inputs``: (3, H, W) tensor of ``img``. Output ``data_samples``: a
    ``BaseDataElement`` with ``text`` (str, the training query of :class:`SampleQueryWord`),
    ``gt_text_kernel`` and ``gt_text_mask`` ((h, w) float32 tensors of
    :class:`GenerateTextKernels`) where present, ``words`` (list[str]) and metainfo from
    ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): results keys copied to the metainfo when present.
            Defaults to ``('img_path', 'img_id', 'ori_shape', 'img_shape')``.
    """

    def __init__(self, *, meta_keys: Sequence[str] = ('img_path', 'img_id', 'ori_shape',
                                                      'img_shape')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        sample = BaseDataElement(metainfo={k: results[k] for k in self.meta_keys if k in results})
        sample.words = list(results.get('words', []))
        if 'text' in results:
            sample.text = results['text']
        for key in ('gt_text_kernel', 'gt_text_mask'):
            if key in results:
                sample.set_field(torch.from_numpy(results[key]), key)
        return dict(inputs=_to_chw(results['img']), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
