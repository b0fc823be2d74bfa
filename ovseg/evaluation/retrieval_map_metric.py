"""Text-based image retrieval mAP: per query, AP over the whole gallery; mean over queries."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.registry import METRICS

from .average_precision import average_precision


@METRICS.register_module()
class RetrievalMAPMetric(BaseMetric):
    """Scene-text retrieval mAP (FDP, https://arxiv.org/abs/2408.00441, Sec. 4.1; the
    IIIT-STR protocol): for each query, the AP of the ranking of every gallery image by its
    score; mAP is the mean over queries, in percent.

    Reads ``pred_scores`` (K,) and metainfo ``img_id`` of each prediction, and from
    ``dataset_meta``: ``classes`` (the K query words, in the order of ``pred_scores``) and
    ``queries`` (dicts with ``query`` and ``img_ids``, the relevant images).

    Args:
        groups (dict, optional): extra means over named query subsets, e.g.
            ``dict(function=['the', 'of'])`` reports ``mAP_function``; a subset may be the
            name of a word list (``dict(function='synthworld-function')``,
            :func:`~ovseg.models.text_retrieval.get_word_list`). Defaults to None.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to None.
    """

    def __init__(self, *, groups: Optional[Dict[str, Union[str, Sequence[str]]]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if any(isinstance(v, str) for v in (groups or {}).values()):
            # imported here: the ovseg.models package pulls in every head
            from ..models.text_retrieval.word_lists import get_word_list
        self.groups = {k: get_word_list(v) if isinstance(v, str) else tuple(v)
                       for k, v in (groups or {}).items()}

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((sample['img_id'], sample['pred_scores'].cpu().numpy()))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        words = list(self.dataset_meta['classes'])
        img_ids = [img_id for img_id, _ in results]
        scores = np.stack([row for _, row in results])  # (N, K)
        if scores.shape[1] != len(words):
            raise ValueError(f'RetrievalMAPMetric: {scores.shape[1]} scores per image, '
                             f'{len(words)} queries in dataset_meta["classes"]')
        position = {img_id: n for n, img_id in enumerate(img_ids)}
        ap = {}
        for query in self.dataset_meta['queries']:
            relevant = np.zeros(len(img_ids), dtype=bool)
            relevant[[position[i] for i in query['img_ids'] if i in position]] = True
            ap[query['query']] = average_precision(scores[:, words.index(query['query'])],
                                                   relevant)
        metrics = {'mAP': 100 * float(np.nanmean(list(ap.values())))}
        for name, members in self.groups.items():
            values = [ap[w] for w in members if w in ap]
            metrics[f'mAP_{name}'] = 100 * float(np.nanmean(values)) if values else float('nan')
        return metrics
