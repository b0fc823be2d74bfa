"""Two-stage open-vocabulary semantic segmentor: class-agnostic masks, then CLIP."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.structures import PixelData
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import add_prefix
from torch import Tensor

from ..clip.calibration import calibrated_stacking, seen_class_mask
from ..utils import ProposalSegmentorBase, compose_semantic
from .ensemble import CLASSIFY_WITH, INVALID_CLIP_PROBS, classify_proposals


def raw_rgb_preprocessor(size_divisor: Optional[int] = 32) -> dict:
    """``SegDataPreProcessor`` config keeping RGB 0-255 (each component normalises itself)."""
    return dict(type='SegDataPreProcessor', mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0],
                bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size_divisor=size_divisor)


@MODELS.register_module()
class TwoStageOVSegmentor(ProposalSegmentorBase):
    """Open-vocabulary semantic segmentation with mask proposals classified by CLIP.

    OVSeg, Liang et al., CVPR 2023 (https://arxiv.org/abs/2210.04150), Sec. 3.1 and 3.4:
    a class-agnostic proposal generator (MaskFormer with CLIP-text classification, SAM,
    ground-truth masks, ...) gives Q soft masks per image; a (mask-adapted) CLIP classifies
    them; proposal and CLIP probabilities are ensembled geometrically; the semantic map is
    the soft composition ``semseg[c] = sum_q p[q, c] * mask_q``, resized to the original
    size, then argmax. Pixels no mask covers (score 0, e.g. SAM's binary masks, or no
    proposal at all) become ``ignore_index``.

    Call graph::

        predict(): text_classifier() -> proposal_generator.predict(inputs, samples, text)
                   -> mask_classifier(inputs, masks, text) -> classify_proposals()
                   -> calibrated_stacking() (test_cfg.seen_penalty > 0)
                   -> _semantic_map() per image (chunks of classes: compose, unpad,
                      flip, resize to ori_shape, running argmax)
        loss():    text_classifier() -> proposal_generator.loss(inputs, samples, text)

    The vocabulary comes from :meth:`set_vocabulary` (the ``VocabularyHook`` calls it with
    each dataset's class names). Both stages use the one text classifier, as OVSeg uses one
    frozen CLIP text encoder (so a stage-1 checkpoint must come from the same text tower).
    Inputs are raw RGB 0-255 (:func:`raw_rgb_preprocessor`): the proposal generator and CLIP
    normalise for themselves.

    Args:
        proposal_generator (dict): mmseg ``MODELS`` config; ``predict(inputs, samples,
            class_embeddings)`` returns ``InstanceData`` with ``masks`` (Q, H, W) and
            optionally ``class_logits`` (Q, K+1).
        mask_classifier (dict): :class:`MaskCLIPClassifier` config.
        text_classifier (dict): ``TextClassifier`` config (ViLD templates in OVSeg).
        classify_with (str): ``'ensemble'`` (falls back to CLIP alone without proposal
            logits or with ``clip_weight=0``), ``'clip'`` or ``'proposal'``.
            Defaults to ``'ensemble'``.
        clip_weight (float): lambda of the geometric ensemble (0.7 ADE, 0.6 Pascal Context,
            0.6 paper / 0.45 README for Pascal VOC). Defaults to 0.7.
        invalid_clip_prob (str): ``'one'`` (OVSeg), ``'proposal'`` or ``'zero'``, see
            :func:`geometric_ensemble`. Defaults to ``'one'``.
        ignore_index (int): label of uncovered pixels. Defaults to 255.
        class_chunk_size (int): classes composed at a time (bounds memory for large
            vocabularies). Defaults to 128.
        train_cfg (dict, optional): unused. Defaults to None.
        test_cfg (dict, optional): ``return_logits`` (bool, default True): store
            ``seg_logits`` (K, H, W) in the results; ``seen_penalty`` (float, default 0:
            the original method) and ``seen_classes`` (names; default: the dataset's ``seen``
            flags, carried by the vocabulary): calibrated stacking
            (:func:`~ovseg.models.clip.calibration.calibrated_stacking`, Chao et al. 2016) in
            log-probability space, i.e. the final class scores of the seen classes are
            multiplied by ``exp(-seen_penalty)`` before composition. Defaults to None.
        data_preprocessor (dict, optional): Defaults to :func:`raw_rgb_preprocessor`.
        pretrained (str, optional): mmseg's whole-model weights key, which
            ``mmseg.apis.init_model`` sets to None; must be None (each stage names its own
            weights: ``mask_classifier.clip.pretrained``, ...). Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, proposal_generator: dict, mask_classifier: dict,
                 text_classifier: dict, classify_with: str = 'ensemble',
                 clip_weight: float = 0.7, invalid_clip_prob: str = 'one',
                 ignore_index: int = 255, class_chunk_size: int = 128,
                 train_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or raw_rgb_preprocessor(),
                         init_cfg=init_cfg, pretrained=pretrained,
                         weights_from='mask_classifier.clip.pretrained, '
                                      'text_classifier.text_encoder.pretrained')
        if classify_with not in CLASSIFY_WITH:
            raise ValueError(f'classify_with must be one of {CLASSIFY_WITH}, not {classify_with!r}')
        if invalid_clip_prob not in INVALID_CLIP_PROBS:
            raise ValueError(f'invalid_clip_prob must be one of {INVALID_CLIP_PROBS}, '
                             f'not {invalid_clip_prob!r}')
        if not 0 <= clip_weight <= 1:
            raise ValueError(f'clip_weight must be in [0, 1], got {clip_weight}')
        self.proposal_generator = MODELS.build(proposal_generator)
        self.mask_classifier = MODELS.build(mask_classifier)
        self.text_classifier = ROOT_MODELS.build(text_classifier)
        self.classify_with = classify_with
        self.clip_weight = clip_weight
        self.invalid_clip_prob = invalid_clip_prob
        self.ignore_index = ignore_index
        self.class_chunk_size = class_chunk_size
        self.train_cfg = train_cfg or {}
        self.test_cfg = test_cfg or {}
        self.seen_penalty = float(self.test_cfg.get('seen_penalty', 0.0))
        self.seen_classes = self.test_cfg.get('seen_classes')
        if self.seen_penalty < 0:
            raise ValueError(f'test_cfg.seen_penalty must be >= 0, got {self.seen_penalty}')

    # ------------------------------------------------------------------ stages
    def extract_feat(self, inputs: Tensor):
        """Not used: the two stages extract their own features."""
        raise NotImplementedError('TwoStageOVSegmentor has no shared features; '
                                  'use predict() or classify().')

    def classify(self, inputs: Tensor, data_samples: Sequence[SegDataSample]
                 ) -> Tuple[List[Tensor], List[Tensor]]:
        """Proposals and their class scores.

        Args:
            inputs (Tensor): (B, 3, H, W) RGB 0-255, padded.
            data_samples (Sequence[SegDataSample]): with ``img_shape``.

        Returns:
            tuple[list[Tensor], list[Tensor]]: per image the masks (Q_b, H, W) in [0, 1]
            and the class scores (Q_b, K) >= 0.
        """
        if self.text_classifier.vocabulary is None:
            raise RuntimeError('Call set_vocabulary(names) before predicting (the '
                               'VocabularyHook does it from the dataset metainfo).')
        class_embeddings = self.text_classifier()  # (K, D)
        proposals = self.proposal_generator.predict(inputs, data_samples, class_embeddings)
        masks = [p.masks for p in proposals]
        clip_outputs = [(None, None)] * len(masks)
        if self.classify_with != 'proposal':
            sizes = [tuple(s.metainfo.get('img_shape', inputs.shape[-2:])[:2])
                     for s in data_samples]
            clip_outputs = self.mask_classifier(inputs, masks, class_embeddings, sizes)
        probs = [classify_proposals(clip_logits=clip_logits, valid=valid,
                                    proposal_logits=p.get('class_logits'),
                                    classify_with=self.classify_with,
                                    clip_weight=self.clip_weight,
                                    invalid_clip_prob=self.invalid_clip_prob)
                 for p, (clip_logits, valid) in zip(proposals, clip_outputs)]
        if self.seen_penalty > 0:
            seen = seen_class_mask(self.text_classifier.current_vocabulary,
                                   self.seen_classes)  # (K,)
            # in log space, so scores stay >= 0 and zero rows (invalid proposals) stay zero
            probs = [calibrated_stacking(p.log(), seen, self.seen_penalty).exp() for p in probs]
        return masks, probs

    # ------------------------------------------------------------------ modes
    def loss(self, inputs: Tensor, data_samples: Sequence[SegDataSample]) -> dict:
        """Losses of the trainable stage(s), prefixed ``proposal.``.

        Raises:
            RuntimeError: the proposal generator has nothing to train. CLIP is adapted
                separately (``MaskAdaptedCLIP`` on mined region-noun pairs).
        """
        generator = self.proposal_generator
        if not hasattr(generator, 'loss') or not any(p.requires_grad
                                                     for p in generator.parameters()):
            raise RuntimeError(f'{type(generator).__name__} has nothing to train; fine-tune '
                               'CLIP with MaskAdaptedCLIP on mined region-noun pairs instead.')
        class_embeddings = self.text_classifier()  # (K, D)
        return add_prefix(generator.loss(inputs, data_samples, class_embeddings), 'proposal')

    def predict(self, inputs: Tensor,
                data_samples: Optional[Sequence[SegDataSample]] = None) -> List[SegDataSample]:
        """Semantic segmentation at the original image size.

        Args:
            inputs (Tensor): (B, 3, H, W) RGB 0-255, padded at the bottom/right.
            data_samples (Sequence[SegDataSample], optional): with ``img_shape``,
                ``ori_shape`` and ``flip``/``flip_direction`` metainfo. Defaults to None
                (unpadded inputs at their original size).

        Returns:
            list[SegDataSample]: with ``pred_sem_seg`` (1, H0, W0) long (``ignore_index``
            where no mask covers a pixel) and, with ``test_cfg.return_logits``,
            ``seg_logits`` (K, H0, W0) composed scores.
        """
        data_samples = self._samples(inputs, data_samples)
        masks, probs = self.classify(inputs, data_samples)
        for sample, image_masks, image_probs in zip(data_samples, masks, probs):
            logits, pred = self._semantic_map(image_probs, image_masks, sample.metainfo)
            if logits is not None:
                sample.seg_logits = PixelData(data=logits)
            sample.pred_sem_seg = PixelData(data=pred[None])
        return list(data_samples)

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Composed scores (B, K, H, W) at the (padded) input size."""
        return self._forward(inputs, [SegDataSample(metainfo=meta) for meta in batch_img_metas])

    def _forward(self, inputs: Tensor, data_samples: Optional[Sequence] = None) -> Tensor:
        """Tensor mode: composed scores (B, K, H, W) at the (padded) input size."""
        masks, probs = self.classify(inputs, self._samples(inputs, data_samples))
        return torch.stack([compose_semantic(p, m) for p, m in zip(probs, masks)])

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _samples(inputs: Tensor, data_samples: Optional[Sequence]) -> List[SegDataSample]:
        if data_samples is not None:
            return list(data_samples)
        shape = tuple(inputs.shape[-2:])
        return [SegDataSample(metainfo=dict(img_shape=shape, ori_shape=shape))
                for _ in range(inputs.shape[0])]

    def _semantic_map(self, probs: Tensor, masks: Tensor,
                      meta: dict) -> Tuple[Optional[Tensor], Tensor]:
        """Compose, unpad, flip back and resize one image's map, class chunk by chunk.

        Args:
            probs (Tensor): (Q, K) class scores.
            masks (Tensor): (Q, H, W) masks at the padded input size.
            meta (dict): ``img_shape``, ``ori_shape``, optional ``flip``/``flip_direction``.

        Returns:
            tuple: logits (K, H0, W0) or None (``test_cfg.return_logits=False``), and the
            prediction (H0, W0) long.
        """
        height, width = meta.get('img_shape', masks.shape[-2:])[:2]
        ori_shape = tuple(meta.get('ori_shape', (height, width))[:2])
        masks = masks[:, :height, :width]
        keep_logits = self.test_cfg.get('return_logits', True)
        chunks, best_score, best_index = [], None, None
        for start in range(0, probs.shape[1], self.class_chunk_size):
            scores = compose_semantic(probs[:, start:start + self.class_chunk_size], masks)
            if meta.get('flip', False):
                scores = scores.flip(dims=(2,) if meta.get('flip_direction') == 'horizontal'
                                     else (1,))
            scores = resize(scores[None], size=ori_shape, mode='bilinear',
                            align_corners=self.align_corners, warning=False)[0]  # (k, H0, W0)
            if keep_logits:
                chunks.append(scores)
            score, index = scores.max(dim=0)
            if best_score is None:
                best_score, best_index = score, index
            else:
                better = score > best_score
                best_score = torch.where(better, score, best_score)
                best_index = torch.where(better, index + start, best_index)
        pred = torch.where(best_score > 0, best_index,
                           torch.full_like(best_index, self.ignore_index))
        return (torch.cat(chunks) if keep_logits else None), pred


__all__ = ['TwoStageOVSegmentor', 'raw_rgb_preprocessor']
