"""Open-vocabulary attribute recognition: CLIP-Attr (two-stage) and its parts.

The prompt classifier, synonym pooling, crops, loss and class weights are shared with the
one-stage OvarNet (https://arxiv.org/abs/2301.09506).
"""
from .attribute_list import load_attribute_list
from .clip_attr import LABEL_SPACES, CLIPAttr
from .crops import clip_boxes, crop_boxes, enlarge_boxes
from .loss import FederatedAttributeLoss, frequency_weights
from .prompt_classifier import CONTEXT_SLOT, AttributePromptClassifier, pool_prompt_logits
from .zero_shot import ZeroShotCLIPAttr

__all__ = [
    'CONTEXT_SLOT', 'LABEL_SPACES', 'AttributePromptClassifier', 'CLIPAttr',
    'FederatedAttributeLoss', 'ZeroShotCLIPAttr', 'clip_boxes', 'crop_boxes', 'enlarge_boxes',
    'frequency_weights', 'load_attribute_list', 'pool_prompt_logits'
]
