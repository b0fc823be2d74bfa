"""ovseg.evaluation.retrieval_map_metric: AP per query over the gallery, hand-computed."""
import pytest
import torch

from ovseg.evaluation import RetrievalMAPMetric


def test_metric_means_ap_over_queries_and_groups():
    metric = RetrievalMAPMetric(groups=dict(function=['the']))
    metric.dataset_meta = dict(
        classes=('cart', 'the'),
        queries=({'query': 'cart', 'img_ids': (1, 3)}, {'query': 'the', 'img_ids': (2,)}))
    scores = {1: [0.9, 0.1], 2: [0.8, 0.2], 3: [0.7, 0.3]}
    metric.process({}, [dict(img_id=i, pred_scores=torch.tensor(s)) for i, s in scores.items()])
    result = metric.evaluate(3)
    # cart: ranks 1, 3 relevant -> 5/6; the: image 2 ranked 2nd -> 1/2
    assert result['mAP'] == pytest.approx(100 * (5 / 6 + 1 / 2) / 2)
    assert result['mAP_function'] == pytest.approx(50.0)


def test_metric_refuses_scores_that_do_not_match_the_queries():
    metric = RetrievalMAPMetric()
    metric.dataset_meta = dict(classes=('cart',), queries=({'query': 'cart', 'img_ids': (1,)},))
    metric.process({}, [dict(img_id=1, pred_scores=torch.tensor([0.1, 0.2]))])
    with pytest.raises(ValueError, match='2 scores per image, 1 queries'):
        metric.evaluate(1)


def test_groups_may_name_word_lists():
    from ovseg.models.text_retrieval import get_word_list
    metric = RetrievalMAPMetric(groups=dict(function='synthworld-function', seen=['cart']))
    assert metric.groups['function'] == get_word_list('synthworld-function')
    assert 'the' in metric.groups['function'] and 'cart' not in metric.groups['function']
    assert metric.groups['seen'] == ('cart',)
    with pytest.raises(KeyError, match='unknown word list'):
        RetrievalMAPMetric(groups=dict(function='no-such-list'))
