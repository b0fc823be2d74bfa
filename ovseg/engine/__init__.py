"""Runner-side pieces: hooks registered in mmengine's root ``HOOKS``."""
from .vocabulary_hook import VocabularyHook

__all__ = ['VocabularyHook']
