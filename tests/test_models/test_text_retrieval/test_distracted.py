"""ovseg.models.text_retrieval.distracted and the KL loss: neighbours and target values."""
import math

import torch

from ovseg.models.text_retrieval import (distracted_candidates, distracted_kl_loss,
                                     distracted_targets)

DICTIONARY = ['cat', 'cart', 'cast', 'card', 'care', 'core', 'bat', 'dog', 'hotels',
              'hostel', 'hotel', 'motel', 'bottle', 'hote']


def test_short_words_get_distance_one_neighbours_in_dictionary_order():
    # 'cart' (4 letters): distance <= 1 only; 'core' is 2 away and excluded; at most 5 in all
    assert distracted_candidates('cart', DICTIONARY) == [
        ('cart', 0), ('cat', 1), ('cast', 1), ('card', 1), ('care', 1)]
    assert distracted_candidates('cart', DICTIONARY, max_candidates=2) == [
        ('cart', 0), ('cat', 1)]
    assert distracted_candidates('xyz', DICTIONARY) == [('xyz', 0)]


def test_long_words_reach_distance_two_sorted_by_distance():
    # 'hostels' (7 letters): distance <= 2; 'hotels' and 'hostel' at 1 before 'hotel' at 2
    assert distracted_candidates('hostels', DICTIONARY) == [
        ('hostels', 0), ('hotels', 1), ('hostel', 1), ('hotel', 2)]


def test_targets_are_softmax_of_inverse_distance():
    distances = torch.tensor([[0, 1, 2, 0]])
    valid = torch.tensor([[True, True, True, False]])
    target = distracted_targets(distances, valid)
    logits = [1 / 0.1, 1 / 1.1, 1 / 2.1]
    norm = sum(math.exp(v) for v in logits)
    expected = [math.exp(v) / norm for v in logits] + [0.0]
    torch.testing.assert_close(target, torch.tensor([expected]))


def test_kl_is_zero_at_the_target_and_ignores_padding():
    distances = torch.tensor([[0, 1, 0], [0, 1, 1]])
    valid = torch.tensor([[True, True, False], [True, True, True]])
    target = distracted_targets(distances, valid)
    perfect = torch.log(target.clamp_min(1e-30))
    perfect = perfect.masked_fill(~valid, 123.0)  # padding logits must not matter
    assert float(distracted_kl_loss(perfect, target, valid)) < 1e-6
    uniform = torch.zeros(2, 3)
    # batchmean KL(t || uniform over the valid candidates) = sum t log t + log(n_valid), mean
    expected = sum(float((t[v] * t[v].log()).sum()) + math.log(int(v.sum()))
                   for t, v in zip(target, valid)) / 2
    assert math.isclose(float(distracted_kl_loss(uniform, target, valid)), expected,
                        rel_tol=1e-5)
