"""Stage 1 of two-stage open-vocabulary segmentation: mask proposal generators.

Every generator is registered in mmseg ``MODELS`` and answers
``predict(inputs (B, 3, H, W) raw RGB 0-255, batch_data_samples, class_embeddings (K, D) | None)
-> list[InstanceData]`` with ``masks`` (Q, H, W) in [0, 1] and, when it classifies,
``class_logits`` (Q, K+1) (last column: no object); trainable ones also have
``loss(inputs, batch_data_samples, class_embeddings) -> dict``.

- :class:`GTMaskProposals`: the ground-truth label map's masks (oracle proposals).
- :class:`SAMProposalGenerator`: SAM's automatic mask generator (class-agnostic).
- :class:`TextPromptedSAM`: SAM prompted at CLIP pixel-text score peaks, one mask per class.
- :class:`MaskFormerProposalGenerator`: backbone + :class:`OpenVocabMaskFormerHead` /
  :class:`OpenVocabMask2FormerHead` / :class:`PromptGuidedMask2FormerHead` (PMP).
- :class:`ProposalSegmentor`: stage 1 alone as an mmseg segmentor (training, "MaskFormer only"
  evaluation).
"""
from .gt_proposals import GTMaskProposals
from .maskformer_generator import MaskFormerProposalGenerator
from .maskformer_proposals import (OpenVocabClassEmbed, OpenVocabMask2FormerHead,
                                   OpenVocabMaskFormerHead)
from .prompt_guided import (PLACEMENTS, PromptGuidedDecoderLayer, PromptGuidedMask2FormerHead,
                            PromptGuidedTransformerDecoder)
from .sam_generator import SAMProposalGenerator
from .sam_loading import (SAM_VARIANTS, build_sam, build_sam_from_arch, list_sam_variants,
                          load_sam_weights, read_sam_checkpoint)
from .segmentor import ProposalSegmentor
from .text_prompted_sam import TextPromptedSAM, score_peaks

__all__ = [
    'GTMaskProposals', 'MaskFormerProposalGenerator', 'OpenVocabClassEmbed', 'OpenVocabMask2FormerHead',
    'OpenVocabMaskFormerHead', 'PLACEMENTS', 'PromptGuidedDecoderLayer',
    'PromptGuidedMask2FormerHead', 'PromptGuidedTransformerDecoder', 'ProposalSegmentor',
    'SAMProposalGenerator', 'SAM_VARIANTS', 'TextPromptedSAM', 'build_sam',
    'build_sam_from_arch', 'list_sam_variants', 'load_sam_weights', 'read_sam_checkpoint',
    'score_peaks',
]
