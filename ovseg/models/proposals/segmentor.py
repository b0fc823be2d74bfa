"""Stage 1 on its own as an mmseg segmentor: train a proposal generator, evaluate its classes."""
from typing import List, Optional, Sequence

import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import Tensor

from ..utils import ProposalSegmentorBase, compose_semantic


@MODELS.register_module()
class ProposalSegmentor(ProposalSegmentorBase):
    """Semantic segmentation from a classifying proposal generator and a CLIP text classifier.

    MaskFormer semantic inference (Cheng et al., https://arxiv.org/abs/2107.06278, Sec. 3.4;
    OVSeg Sec. 1.6 of ``ovseg.md``): ``seg[k] = sum_q softmax(class_logits_q)[k] * mask_q``
    with the no-object column dropped after the softmax. This is OVSeg's "MaskFormer only"
    branch; the two-stage segmentor adds masked-crop CLIP classification on top.

    ``loss():    text_classifier() -> proposal_generator.loss(inputs, samples, class_embeddings)``
    ``predict(): text_classifier() -> proposal_generator.predict() -> compose_semantic()
    -> postprocess_result()``

    The vocabulary comes from :meth:`set_vocabulary` (the ``VocabularyHook`` calls it with each
    dataset's classes), so training and test label sets may differ.

    Args:
        proposal_generator (dict): a generator returning ``class_logits``
            (:class:`MaskFormerProposalGenerator`, :class:`TextPromptedSAM`).
        text_classifier (dict): ``TextClassifier`` config (frozen CLIP text tower, templates).
        class_names (Sequence[str], optional): initial vocabulary. Defaults to None.
        data_preprocessor (dict, optional): ``SegDataPreProcessor`` without mean/std (the
            generator normalises; inputs stay raw RGB 0-255). Defaults to None.
        train_cfg (dict, optional): unused. Defaults to None.
        test_cfg (dict, optional): unused. Defaults to None.
        pretrained (str, optional): mmseg's whole-model weights key, which
            ``mmseg.apis.init_model`` sets to None; must be None (the parts name their own
            weights). Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, proposal_generator: dict, text_classifier: dict,
                 class_names: Optional[Sequence[str]] = None,
                 data_preprocessor: Optional[dict] = None, train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg,
                         pretrained=pretrained,
                         weights_from='text_classifier.text_encoder.pretrained, the backbone '
                                      'init_cfg')
        # Text tower first: its random weights (tests, ablations without CLIP weights) then do
        # not depend on how many parameters the generator draws.
        self.text_classifier = MODELS.build(text_classifier)
        self.proposal_generator = MODELS.build(proposal_generator)
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg
        if class_names is not None:
            self.set_vocabulary(class_names)

    @property
    def out_channels(self) -> int:
        """Channels of the predicted logits (K)."""
        return self.num_vocabulary

    def class_embeddings(self) -> Tensor:
        """(K, D) L2-normalised text embeddings of the vocabulary."""
        return self.text_classifier()

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Generator features of (B, 3, H, W) raw RGB inputs (trainable generators only)."""
        return self.proposal_generator.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Semantic logits (B, K, H, W) at the (padded) input size."""
        samples = [SegDataSample(metainfo=meta) for meta in batch_img_metas]
        return self._seg_logits(inputs, samples)

    def _seg_logits(self, inputs: Tensor, data_samples: Optional[Sequence]) -> Tensor:
        """MaskFormer semantic inference: (B, K, H, W) in [0, 1] per class."""
        num = self.num_vocabulary
        proposals = self.proposal_generator.predict(inputs, data_samples,
                                                    self.class_embeddings())
        logits = []
        for proposal in proposals:
            if 'class_logits' not in proposal:
                raise ValueError(f'{type(self.proposal_generator).__name__} does not classify '
                                 'its proposals; use it in the two-stage segmentor instead.')
            probs = proposal.class_logits.softmax(-1)[:, :num]  # (Q, K)
            logits.append(compose_semantic(probs, proposal.masks))  # (K, H, W)
        return torch.stack(logits)

    def loss(self, inputs: Tensor, data_samples: Sequence) -> dict:
        """Generator losses for the current vocabulary (``gt_sem_seg`` indexes it)."""
        return self.proposal_generator.loss(inputs, data_samples, self.class_embeddings())

    def predict(self, inputs: Tensor, data_samples: Optional[Sequence] = None) -> list:
        """``pred_sem_seg`` and ``seg_logits`` at the original size of every image."""
        return self.postprocess_result(self._seg_logits(inputs, data_samples), data_samples)

    def _forward(self, inputs: Tensor, data_samples: Optional[Sequence] = None) -> Tensor:
        """Semantic logits (B, K, H, W) at the input size."""
        return self._seg_logits(inputs, data_samples)
