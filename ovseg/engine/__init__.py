"""Runner-side pieces: the ovseg Runner (mmengine ``RUNNERS``) and hooks (mmengine ``HOOKS``)."""
from .runner import OVSegRunner
from .vocabulary_hook import VocabularyHook

__all__ = ['OVSegRunner', 'VocabularyHook']
