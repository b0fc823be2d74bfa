"""What every head shares that belongs to no head: masks, crops, semantic composition, and the
base of the proposal-classifying segmentors.

Heads import from here (and from the CLIP core, ``ovseg.models.clip``), never from each other.
"""
from .masks import (MaskedCrops, binarize_masks, compose_semantic, crop_masked_regions,
                    crops_to_pixels, label_map_masks)
from .pretrained_init import StrictPretrainedInit, StrictPretrainedMixin
from .proposal_segmentor_base import ProposalSegmentorBase

__all__ = ['MaskedCrops', 'ProposalSegmentorBase', 'StrictPretrainedInit', 'StrictPretrainedMixin',
           'binarize_masks', 'compose_semantic', 'crop_masked_regions',
           'crops_to_pixels', 'label_map_masks']
