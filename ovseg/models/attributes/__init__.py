"""Open-vocabulary attribute recognition: CLIP-Attr (two-stage), OvarNet (one-stage, distilled
from CLIP-Attr) and their shared parts (https://arxiv.org/abs/2301.09506).

The prompt classifier, synonym pooling, scoring, crops, loss and class weights serve both.
"""
from .attribute_list import load_attribute_list
from .clip_attr import CLIPAttr
from .crops import clip_boxes, crop_boxes, enlarge_boxes
from .distillation import DistillKLLoss, build_teacher, load_teacher_weights
from .loss import FederatedAttributeLoss, frequency_weights
from .ovarnet import OvarNet
from .prompt_classifier import CONTEXT_SLOT, AttributePromptClassifier, pool_prompt_logits
from .roi_head import OvarNetRoIHead
from .scoring import LABEL_SPACES, AttributeScoringMixin
from .zero_shot import ZeroShotCLIPAttr

__all__ = [
    'CONTEXT_SLOT', 'LABEL_SPACES', 'AttributePromptClassifier', 'AttributeScoringMixin',
    'CLIPAttr', 'DistillKLLoss', 'FederatedAttributeLoss', 'OvarNet', 'OvarNetRoIHead',
    'ZeroShotCLIPAttr', 'build_teacher', 'clip_boxes', 'crop_boxes', 'enlarge_boxes',
    'frequency_weights', 'load_attribute_list', 'load_teacher_weights', 'pool_prompt_logits'
]
