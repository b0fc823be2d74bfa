"""DenseCLIP (Rao et al., CVPR 2022): language-guided dense prediction on mmseg/mmdet.

Importing registers :class:`DenseCLIPSegmentor` and :class:`IdentityHead` in mmseg's
``MODELS``, the detectors in mmdet's, and :class:`ContextDecoder` in mmengine's root.
"""
from . import convert  # noqa: F401 (registers the 'denseclip' checkpoint converter)
from .context_decoder import ContextDecoder, visual_context
from .detectors import DenseCLIPMaskRCNN, DenseCLIPRetinaNet, box_seg_loss
from .identity_head import IdentityHead
from .language_guide import LanguageGuideMixin, average_synonyms
from .segmentor import DenseCLIPSegmentor

__all__ = ['ContextDecoder', 'DenseCLIPMaskRCNN', 'DenseCLIPRetinaNet', 'DenseCLIPSegmentor',
           'IdentityHead', 'LanguageGuideMixin', 'average_synonyms', 'box_seg_loss',
           'visual_context']
