"""Shared CLIP core: open_clip image/text towers with dense outputs, text classifier, loading,
CLIP pixel statistics, the pixel-text score map and calibrated stacking of seen-class scores.

Importing this package registers the modules in mmengine's root ``MODELS`` (searched by
mmseg and mmdet scopes) and the open_clip architectures in ``model_configs/``.
"""
from ovseg.compat.torchscript import is_torchscript_archive, read_torchscript_state_dict

from .calibration import calibrated_stacking, seen_class_mask
from .loading import (build_clip_tower, clip_model_config, create_clip, list_clip_models,
                      load_clip_tower, load_clip_weights, read_clip_checkpoint,
                      register_model_configs, resize_pos_embed, resize_text_pos_embed,
                      resolve_pretrained, select_tower)
from .normalization import (CLIP_MEAN, CLIP_STD, clip_data_preprocessor, denormalize_image,
                            normalize_image)
from .resnet import CLIPResNet
from .score_map import pixel_text_score
from .templates import VILD_TEMPLATES, get_templates, list_template_sets
from .text_classifier import TextClassifier
from .text_encoder import CLIPTextEncoder, get_clip_tokenizer
from .vit import CLIPViT
from .vocabulary import (Vocabulary, VocabularyError, check_vocabulary, display_name,
                         load_vocabulary, split_synonyms)

register_model_configs()

__all__ = [
    'CLIP_MEAN', 'CLIP_STD', 'CLIPResNet', 'CLIPTextEncoder', 'CLIPViT', 'TextClassifier',
    'VILD_TEMPLATES', 'Vocabulary', 'VocabularyError', 'build_clip_tower', 'check_vocabulary',
    'clip_data_preprocessor', 'clip_model_config', 'create_clip', 'denormalize_image',
    'display_name', 'get_clip_tokenizer',
    'get_templates', 'is_torchscript_archive', 'list_clip_models', 'list_template_sets',
    'load_clip_tower', 'load_clip_weights', 'load_vocabulary', 'normalize_image',
    'pixel_text_score', 'read_clip_checkpoint',
    'read_torchscript_state_dict', 'register_model_configs', 'resize_pos_embed',
    'resize_text_pos_embed', 'resolve_pretrained', 'seen_class_mask', 'select_tower',
    'split_synonyms',
]
