"""Stage 2 of two-stage open-vocabulary segmentation: mask-adapted CLIP (OVSeg).

OVSeg (https://arxiv.org/abs/2210.04150): masked crops with mean fill, mask prompt tuning,
the geometric ensemble with the proposal classifier, the two-stage segmentor, plus our
single-pass mask pooling and the caption-mining / fine-tuning pipeline.
"""
from .checkpoint import (convert_ovseg_checkpoint, convert_ovseg_state_dict,
                         infer_clip_model_name, is_ovseg_state_dict)
from .ensemble import classify_proposals, clip_probs, geometric_ensemble, proposal_probs
from .finetune import MaskAdaptedCLIP, region_data_preprocessor
from .gt_proposals import GTMaskProposals, label_map_masks
from .mask_classifier import MaskCLIPClassifier
from .mask_crops import (CLIP_MEAN, CLIP_STD, MaskedCrops, binarize_masks, crop_masked_regions,
                         crops_to_pixels, denormalize_image, normalize_image, patch_keep_mask)
from .mask_prompt_clip import MaskPromptViT, masked_tower_embed
from .mining import (CaptionRegionMiner, RegionPairWriter, assign_nouns, build_noun_index,
                     extract_nouns, nltk_nouns)
from .single_pass import mask_pool
from .two_stage_segmentor import TwoStageOVSegmentor, compose_semantic, raw_rgb_preprocessor

__all__ = [
    'CLIP_MEAN', 'CLIP_STD', 'CaptionRegionMiner', 'GTMaskProposals', 'MaskAdaptedCLIP',
    'MaskCLIPClassifier', 'MaskPromptViT', 'MaskedCrops', 'RegionPairWriter',
    'TwoStageOVSegmentor', 'assign_nouns', 'binarize_masks', 'build_noun_index',
    'classify_proposals', 'clip_probs', 'compose_semantic', 'convert_ovseg_checkpoint',
    'convert_ovseg_state_dict', 'crop_masked_regions', 'crops_to_pixels', 'denormalize_image',
    'extract_nouns',
    'geometric_ensemble', 'infer_clip_model_name', 'is_ovseg_state_dict', 'label_map_masks',
    'mask_pool', 'masked_tower_embed', 'nltk_nouns', 'normalize_image', 'patch_keep_mask',
    'proposal_probs', 'raw_rgb_preprocessor',
    'region_data_preprocessor',
]
