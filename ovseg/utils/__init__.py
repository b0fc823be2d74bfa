"""Small helpers shared by datasets and models that belong to neither."""
from .english import indefinite_article
from .windows import square_window

__all__ = ['indefinite_article', 'square_window']
