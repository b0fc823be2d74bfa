"""ZeroShotClassificationMetric on hand-made scores and embeddings."""
import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from ovseg.evaluation import ZeroShotClassificationMetric, recall_at_k

K = 5
SEEN = (True, True, True, False, False)


def _metric(**kwargs) -> ZeroShotClassificationMetric:
    metric = ZeroShotClassificationMetric(**kwargs)
    metric.dataset_meta = dict(classes=('circle', 'square', 'star', 'heart', 'moon'), seen=SEEN)
    return metric


def _evaluate(metric, samples):
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def _crop_sample(labels, predictions):
    scores = F.one_hot(torch.as_tensor(predictions), K).float()  # (N, K)
    return dict(crop_scores=scores, gt_crop_labels=torch.as_tensor(labels))


def test_perfect_crops_score_100():
    labels = list(range(K)) * 3
    metrics = _evaluate(_metric(), [_crop_sample(labels, labels)])
    assert metrics['zero_shot/top1'] == metrics['zero_shot/top1_seen'] == 100.0
    assert metrics['zero_shot/top1_unseen'] == 100.0
    assert metrics['zero_shot/chance'] == pytest.approx(100 / K)
    assert metrics['zero_shot/unseen_vs_chance'] == pytest.approx(K)


def test_uninformative_predictions_score_chance():
    # every (label, prediction) pair once: each class is right exactly 1 time in K
    pairs = list(itertools.product(range(K), range(K)))
    samples = [_crop_sample([label], [pred]) for label, pred in pairs]
    metrics = _evaluate(_metric(), samples)
    for key in ('top1', 'top1_seen', 'top1_unseen'):
        assert metrics[f'zero_shot/{key}'] == pytest.approx(100 / K)
    assert metrics['zero_shot/unseen_vs_chance'] == pytest.approx(1.0)


def test_seen_and_unseen_are_split_by_ground_truth():
    labels = [0, 1, 2, 3, 4]
    predictions = [1, 2, 0, 3, 4]  # seen classes all wrong, unseen all right
    metrics = _evaluate(_metric(), [_crop_sample(labels, predictions)])
    assert metrics['zero_shot/top1_seen'] == 0.0
    assert metrics['zero_shot/top1_unseen'] == 100.0
    assert metrics['zero_shot/top1'] == pytest.approx(40.0)
    # the split can also be given by name
    metrics = _evaluate(_metric(unseen_classes=['circle']), [_crop_sample(labels, predictions)])
    assert metrics['zero_shot/top1_unseen'] == 0.0
    assert metrics['zero_shot/top1_seen'] == pytest.approx(50.0)


def test_top_k_counts_the_label_among_the_k_best_scores():
    # scores rank the classes 0 > 1 > 2 > 3 > 4 for every crop
    ranked = torch.tensor([[5., 4., 3., 2., 1.]]).repeat(4, 1)
    labels = torch.tensor([0, 2, 3, 4])  # ranks 1, 3, 4, 5; classes 3 and 4 unseen
    metrics = _evaluate(_metric(crop_ks=(3, )),
                        [dict(crop_scores=ranked, gt_crop_labels=labels)])
    assert metrics['zero_shot/top1'] == 25.0
    assert metrics['zero_shot/top3'] == 50.0
    assert metrics['zero_shot/top3_seen'] == 100.0 and metrics['zero_shot/top3_unseen'] == 0.0
    assert 'zero_shot/top3' not in _evaluate(_metric(), [dict(crop_scores=ranked,
                                                              gt_crop_labels=labels)])


def test_within_group_accuracy_ignores_the_other_group():
    # unseen crops (3, 4) always score a seen class highest, their own class second
    scores = torch.tensor([[1.0, 0.0, 0.0, 0.0, 0.0],
                           [0.0, 0.0, 1.0, 0.5, 0.0],
                           [0.0, 1.0, 0.0, 0.0, 0.5]])
    labels = torch.tensor([0, 3, 4])
    metrics = _evaluate(_metric(), [dict(crop_scores=scores, gt_crop_labels=labels)])
    assert metrics['zero_shot/top1_unseen'] == 0.0
    assert metrics['zero_shot/top1_unseen_within'] == 100.0
    assert metrics['zero_shot/top1_seen'] == metrics['zero_shot/top1_seen_within'] == 100.0
    # without a split every class is seen; the unseen figures are undefined, not an error
    metric = ZeroShotClassificationMetric()
    metric.dataset_meta = dict(classes=('circle', 'square', 'star', 'heart', 'moon'))
    metrics = _evaluate(metric, [dict(crop_scores=scores, gt_crop_labels=labels)])
    assert math.isnan(metrics['zero_shot/top1_unseen_within'])
    assert metrics['zero_shot/top1_seen_within'] == metrics['zero_shot/top1']
    assert metrics['zero_shot/top1'] == pytest.approx(100.0 / 3)


def _retrieval_samples(image_embeds, caption_embeds):
    return [dict(img_embed=i, caption_embeds=c) for i, c in zip(image_embeds, caption_embeds)]


def test_perfect_retrieval_scores_100():
    generator = torch.Generator().manual_seed(0)
    images = F.normalize(torch.randn(20, 64, generator=generator), dim=-1)
    captions = [images[i].expand(1 + i % 3, -1) for i in range(20)]  # 1 to 3 captions each
    metrics = _evaluate(_metric(), _retrieval_samples(images, captions))
    for key in ('i2t_recall@1', 'i2t_recall@5', 't2i_recall@1', 't2i_recall@5'):
        assert metrics[f'zero_shot/{key}'] == 100.0
    assert 'zero_shot/top1' not in metrics


def test_shuffled_retrieval_scores_chance():
    generator = torch.Generator().manual_seed(0)
    num = 400
    images = F.normalize(torch.randn(num, 64, generator=generator), dim=-1)
    captions = [F.normalize(torch.randn(1, 64, generator=generator), dim=-1) for _ in range(num)]
    metrics = _evaluate(_metric(), _retrieval_samples(images, captions))
    for k in (1, 5):
        chance = 100.0 * k / num
        assert metrics[f'zero_shot/i2t_recall@{k}'] == pytest.approx(chance, abs=3 * chance ** 0.5)
        assert metrics[f'zero_shot/t2i_recall@{k}'] == pytest.approx(chance, abs=3 * chance ** 0.5)


def test_recall_at_k_counts_rank_of_first_positive():
    similarity = torch.tensor([[0.9, 0.5, 0.1], [0.9, 0.5, 0.1]])
    positives = torch.tensor([[False, False, True], [False, False, False]])
    assert recall_at_k(similarity, positives, [1, 2, 3]) == {1: 0.0, 2: 0.0, 3: 50.0}
