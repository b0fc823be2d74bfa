"""Data transforms of ovseg (registered in mmengine's root ``TRANSFORMS``)."""
from .attribute_crops import CropBoxRegion, PackAttributeInputs
from .attribute_detection import LoadAttributeAnnotations, PackDetAttributeInputs
from .caption_views import (ObjectCrops, RandomCaptionView, drop_words, noun_list, noun_phrases,
                            phrases_naming, square_window, swap_attribute_word,
                            swap_head_noun)
from .formatting import PackCaptionInputs, PackTextRetrievalInputs
from .region_views import RandomMaskedRegionView
from .text_kernels import GenerateTextKernels, SampleQueryWord, is_readable, shrink_polygon
from .sign_paste import PasteRandomSign
from .word_views import RandomWordView, WordCrops, edit_neighbours, word_window

__all__ = ['CropBoxRegion', 'GenerateTextKernels', 'LoadAttributeAnnotations', 'ObjectCrops',
           'PackAttributeInputs', 'PackDetAttributeInputs',
           'PackCaptionInputs', 'PackTextRetrievalInputs', 'PasteRandomSign', 'RandomCaptionView',
           'RandomMaskedRegionView', 'RandomWordView', 'SampleQueryWord', 'WordCrops', 'drop_words',
           'edit_neighbours', 'is_readable', 'noun_list', 'noun_phrases', 'phrases_naming',
           'shrink_polygon', 'square_window', 'swap_attribute_word', 'swap_head_noun',
           'word_window']
