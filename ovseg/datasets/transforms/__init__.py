"""Data transforms of ovseg (registered in mmengine's root ``TRANSFORMS``)."""
from .attribute_crops import CropBoxRegion, PackAttributeInputs
from .caption_views import (ObjectCrops, RandomCaptionView, drop_words, noun_list, noun_phrases,
                            phrases_naming, square_window, swap_head_noun)
from .formatting import PackCaptionInputs
from .region_views import RandomMaskedRegionView

__all__ = ['CropBoxRegion', 'ObjectCrops', 'PackAttributeInputs', 'PackCaptionInputs',
           'RandomCaptionView', 'RandomMaskedRegionView', 'drop_words', 'noun_list',
           'noun_phrases', 'phrases_naming', 'square_window', 'swap_head_noun']
