import pytest
import torch

from ovseg.models.mask_adapted import classify_proposals, geometric_ensemble


def _logits(seed=0, q=5, k=4):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(q, k + 1, generator=g) * 3, torch.randn(q, k, generator=g) * 5


def test_formula_matches_definition():
    prop, clip = _logits()
    valid = torch.tensor([True, True, False, True, False])
    lam = 0.7
    p = geometric_ensemble(prop, clip, valid, clip_weight=lam)
    p_prop = prop.softmax(-1)[:, :-1]      # softmax over K+1, then drop no-object
    p_clip = clip.softmax(-1)              # softmax over K only
    expected = p_prop ** (1 - lam) * p_clip ** lam
    torch.testing.assert_close(p[valid], expected[valid])
    # original quirk: invalid proposals get p_clip = 1
    torch.testing.assert_close(p[~valid], p_prop[~valid] ** (1 - lam))


def test_invalid_handling_options():
    prop, clip = _logits(1)
    valid = torch.tensor([True, False, True, False, True])
    p_prop = prop.softmax(-1)[:, :-1]
    kept = geometric_ensemble(prop, clip, valid, clip_weight=0.6, invalid_clip_prob='proposal')
    torch.testing.assert_close(kept[~valid], p_prop[~valid])
    dropped = geometric_ensemble(prop, clip, valid, clip_weight=0.6, invalid_clip_prob='zero')
    assert torch.all(dropped[~valid] == 0)
    one = geometric_ensemble(prop, clip, valid, clip_weight=0.6)
    torch.testing.assert_close(one[valid], dropped[valid])
    # the quirk inflates invalid proposals relative to the fix
    assert torch.all(one[~valid] >= kept[~valid])
    with pytest.raises(ValueError):
        geometric_ensemble(prop, clip, valid, clip_weight=0.6, invalid_clip_prob='bad')
    with pytest.raises(ValueError):
        geometric_ensemble(prop, clip, valid, clip_weight=1.5)
    with pytest.raises(ValueError, match='K \\+ 1'):
        geometric_ensemble(prop[:, 1:], clip, valid, clip_weight=0.5)


def test_lambda_zero_and_missing_logits_mean_clip_only():
    prop, clip = _logits(2)
    valid = torch.tensor([True, False, True, True, False])
    expected = clip.softmax(-1) * valid[:, None]
    for kwargs in (dict(proposal_logits=prop, clip_weight=0.0),
                   dict(proposal_logits=None, clip_weight=0.7),
                   dict(proposal_logits=prop, clip_weight=0.7, classify_with='clip')):
        out = classify_proposals(clip_logits=clip, valid=valid, **kwargs)
        torch.testing.assert_close(out, expected)
    out = classify_proposals(clip_logits=None, valid=None, proposal_logits=prop,
                             classify_with='proposal')
    torch.testing.assert_close(out, prop.softmax(-1)[:, :-1])
    with pytest.raises(ValueError, match='needs a proposal generator'):
        classify_proposals(clip_logits=clip, valid=valid, proposal_logits=None,
                           classify_with='proposal')
