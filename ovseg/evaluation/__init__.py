"""ovseg metrics; importing registers them (``custom_imports=['ovseg.evaluation']``)."""
from .attribute_metric import AttributeMAPMetric, frequency_groups
from .average_precision import average_precision
from .box_matching import match_boxes
from .open_vocab_iou_metric import OpenVocabIoUMetric
from .retrieval_map_metric import RetrievalMAPMetric
from .seen_penalty_metric import SeenPenaltySweepMetric
from .zero_shot_metric import ZeroShotClassificationMetric, recall_at_k

__all__ = ['AttributeMAPMetric', 'OpenVocabIoUMetric', 'RetrievalMAPMetric',
           'SeenPenaltySweepMetric', 'ZeroShotClassificationMetric',
           'average_precision', 'frequency_groups', 'match_boxes', 'recall_at_k']
