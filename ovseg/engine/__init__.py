"""Runner-side pieces: the ovseg Runner (``RUNNERS``), train loop (``LOOPS``), hooks (``HOOKS``)."""
from .attribute_vocabulary_hook import AttributeVocabularyHook
from .publish_weights_hook import PublishWeightsHook
from .random_state_hook import RandomStateHook
from .resume_loop import ExactResumeIterBasedTrainLoop
from .runner import OVSegRunner
from .vocabulary_hook import VocabularyHook

__all__ = ['AttributeVocabularyHook', 'ExactResumeIterBasedTrainLoop', 'OVSegRunner', 'PublishWeightsHook',
           'RandomStateHook', 'VocabularyHook']
