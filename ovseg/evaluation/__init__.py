"""ovseg metrics; importing registers them (``custom_imports=['ovseg.evaluation']``)."""
from .open_vocab_iou_metric import OpenVocabIoUMetric
from .zero_shot_metric import ZeroShotClassificationMetric, recall_at_k

__all__ = ['OpenVocabIoUMetric', 'ZeroShotClassificationMetric', 'recall_at_k']
