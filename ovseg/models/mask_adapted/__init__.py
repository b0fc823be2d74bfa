"""Stage 2 of two-stage open-vocabulary segmentation: mask-adapted CLIP (OVSeg).

OVSeg (https://arxiv.org/abs/2210.04150): mask prompt tuning, the geometric ensemble with the
proposal classifier, the two-stage segmentor, plus our single-pass mask pooling and the
caption-mining / fine-tuning pipeline. The masked crops and label-map masks it shares with
other heads live in ``ovseg.models.utils``, the ground-truth proposals in
``ovseg.models.proposals``, the pair writer in ``ovseg.datasets.masked_regions``.
"""
from .checkpoint import (convert_ovseg_checkpoint, convert_ovseg_state_dict,
                         infer_clip_model_name, is_ovseg_state_dict)
from .ensemble import classify_proposals, clip_probs, geometric_ensemble, proposal_probs
from .finetune import MaskAdaptedCLIP
from .mask_classifier import MaskCLIPClassifier
from .mask_prompt_clip import MaskPromptViT, masked_tower_embed, patch_keep_mask
from .mining import (CaptionRegionMiner, assign_nouns, build_noun_index, extract_nouns,
                     nltk_nouns)
from .single_pass import mask_pool
from .two_stage_segmentor import TwoStageOVSegmentor, raw_rgb_preprocessor

__all__ = [
    'CaptionRegionMiner', 'MaskAdaptedCLIP', 'MaskCLIPClassifier', 'MaskPromptViT',
    'TwoStageOVSegmentor', 'assign_nouns', 'build_noun_index', 'classify_proposals',
    'clip_probs', 'convert_ovseg_checkpoint', 'convert_ovseg_state_dict', 'extract_nouns',
    'geometric_ensemble', 'infer_clip_model_name', 'is_ovseg_state_dict', 'mask_pool',
    'masked_tower_embed', 'nltk_nouns', 'patch_keep_mask', 'proposal_probs',
    'raw_rgb_preprocessor',
]
