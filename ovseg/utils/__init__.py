"""Small helpers shared by datasets and models that belong to neither."""
from .english import indefinite_article
from .errors import InputError
from .windows import OBJECT_WINDOW_MAX_SHIFT, OBJECT_WINDOW_SCALE_RANGE, square_window

__all__ = ['InputError', 'OBJECT_WINDOW_MAX_SHIFT', 'OBJECT_WINDOW_SCALE_RANGE',
           'indefinite_article', 'square_window']
