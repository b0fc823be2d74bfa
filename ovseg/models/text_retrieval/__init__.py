"""FDP scene-text retrieval (https://arxiv.org/abs/2408.00441) on the shared CLIP ResNet."""
from .distinguish import SemanticAwarePrompts, nearest_cluster, two_means
from .distracted import distracted_candidates, distracted_targets
from .focus import MaskedAttentionPool, SceneTextProbe, TextScoreHead, attnpool_value_convs
from .losses import BalancedBCELoss, distracted_kl_loss
from .retriever import FDPRetriever
from .word_lists import get_word_list, list_word_lists, lower_case_words

__all__ = [
    'BalancedBCELoss', 'FDPRetriever', 'MaskedAttentionPool', 'SceneTextProbe',
    'SemanticAwarePrompts', 'TextScoreHead', 'attnpool_value_convs', 'distracted_candidates',
    'distracted_kl_loss', 'distracted_targets', 'get_word_list', 'list_word_lists',
    'lower_case_words', 'nearest_cluster', 'two_means',
]
