"""Data transforms of ovseg (registered in mmengine's root ``TRANSFORMS``)."""
from .caption_views import (ObjectCrops, RandomCaptionView, drop_words, noun_list, noun_phrases,
                            phrases_naming, square_window, swap_head_noun)
from .formatting import PackCaptionInputs

__all__ = ['ObjectCrops', 'PackCaptionInputs', 'RandomCaptionView', 'drop_words',
           'noun_list', 'noun_phrases', 'phrases_naming', 'square_window', 'swap_head_noun']
