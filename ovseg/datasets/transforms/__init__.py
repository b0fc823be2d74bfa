"""Data transforms of ovseg (registered in mmengine's root ``TRANSFORMS``)."""
from .caption_views import (ObjectCrops, RandomCaptionView, drop_words, noun_list, noun_phrases,
                            phrases_naming, square_window, swap_head_noun)
from .formatting import PackCaptionInputs, PackTextRetrievalInputs
from .region_views import RandomMaskedRegionView
from .text_kernels import GenerateTextKernels, SampleQueryWord, is_readable, shrink_polygon

__all__ = ['GenerateTextKernels', 'ObjectCrops', 'PackCaptionInputs', 'PackTextRetrievalInputs',
           'RandomCaptionView', 'RandomMaskedRegionView', 'SampleQueryWord', 'is_readable',
           'shrink_polygon',
           'drop_words', 'noun_list', 'noun_phrases', 'phrases_naming', 'square_window',
           'swap_head_noun']
