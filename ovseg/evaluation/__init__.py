"""ovseg metrics; importing registers them (``custom_imports=['ovseg.evaluation']``)."""
from .open_vocab_iou_metric import OpenVocabIoUMetric
from .retrieval_map_metric import RetrievalMAPMetric, average_precision
from .zero_shot_metric import ZeroShotClassificationMetric, recall_at_k

__all__ = ['OpenVocabIoUMetric', 'RetrievalMAPMetric', 'ZeroShotClassificationMetric',
           'average_precision', 'recall_at_k']
