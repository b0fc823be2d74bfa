"""Class probabilities of proposals: proposal classifier, CLIP, and their geometric ensemble.

OVSeg (https://arxiv.org/abs/2210.04150), Sec. 3.1 and ``semantic_inference`` of the
released code::

    p_prop = softmax(proposal logits over K + 1)[:, :K]     (no-object dropped after)
    p_clip = softmax(CLIP logits over K)
    p      = p_prop ** (1 - lambda) * p_clip ** lambda

applied to every class alike. Proposals whose binarised mask is empty have no crop
("invalid"); the original sets their ``p_clip`` to 1, so ``p = p_prop ** (1 - lambda)``.
"""
from typing import Optional

import torch
from torch import Tensor

INVALID_CLIP_PROBS = ('one', 'proposal', 'zero')
CLASSIFY_WITH = ('ensemble', 'clip', 'proposal')


def proposal_probs(logits: Tensor) -> Tensor:
    """(Q, K+1) logits, last column no-object -> (Q, K) probabilities (softmax, then drop)."""
    return logits.softmax(dim=-1)[:, :-1]


def clip_probs(logits: Tensor, valid: Tensor) -> Tensor:
    """(Q, K) CLIP logits and (Q,) validity -> (Q, K) softmax, rows of invalid ones 0."""
    return logits.softmax(dim=-1) * valid[:, None].to(logits.dtype)


def geometric_ensemble(proposal_logits: Tensor, clip_logits: Tensor, valid: Tensor, *,
                       clip_weight: float, invalid_clip_prob: str = 'one') -> Tensor:
    """OVSeg's ensemble ``p_prop^(1 - lambda) * p_clip^lambda``.

    Args:
        proposal_logits (Tensor): (Q, K+1) proposal-classifier logits, no-object last.
        clip_logits (Tensor): (Q, K) CLIP logits (100 x cosine); rows of invalid
            proposals are ignored.
        valid (Tensor): (Q,) bool, False where the binarised mask is empty.
        clip_weight (float): lambda in [0, 1] (0.7 ADE, 0.6 Pascal Context in OVSeg).
        invalid_clip_prob (str): ``p_clip`` of invalid proposals:

            - ``'one'``: 1 for every class, as OVSeg (``p = p_prop^(1 - lambda)``). Since a
              valid proposal's ``p_clip^lambda`` is below 1, this up-weights exactly the
              proposals CLIP could not look at (by ``1 / p_clip^lambda``, x5 for a
              ``p_clip`` of 0.1 at lambda 0.7).
            - ``'proposal'``: ``p_prop`` itself, so ``p = p_prop``: invalid proposals keep
              their classifier's calibrated probability, on the scale of the valid ones.
            - ``'zero'``: drop them (``p = 0``), as OVSeg's CLIP-only path does.

            Defaults to ``'one'``.

    Returns:
        Tensor: (Q, K) non-negative class scores (rows need not sum to 1).

    Examples:
        >>> import torch
        >>> prop = torch.tensor([[2., 0., 0.], [0., 2., 0.]])
        >>> clip = torch.tensor([[0., 3.], [0., 0.]])
        >>> p = geometric_ensemble(prop, clip, torch.tensor([True, False]), clip_weight=0.5)
        >>> p.argmax(dim=1).tolist()  # CLIP overrules for the valid one
        [1, 1]
        >>> bool(torch.allclose(p[1], proposal_probs(prop)[1].sqrt()))  # invalid: p_clip = 1
        True
    """
    if invalid_clip_prob not in INVALID_CLIP_PROBS:
        raise ValueError(f'invalid_clip_prob must be one of {INVALID_CLIP_PROBS}, '
                         f'not {invalid_clip_prob!r}')
    if not 0 <= clip_weight <= 1:
        raise ValueError(f'clip_weight must be in [0, 1], got {clip_weight}')
    if proposal_logits.shape[-1] != clip_logits.shape[-1] + 1:
        raise ValueError(f'proposal logits have {proposal_logits.shape[-1]} columns; with '
                         f'{clip_logits.shape[-1]} classes they need K + 1 (no-object last)')
    p_prop = proposal_probs(proposal_logits)  # (Q, K)
    p_clip = clip_logits.softmax(dim=-1)  # (Q, K)
    invalid = ~valid[:, None]
    if invalid_clip_prob == 'one':
        p_clip = torch.where(invalid, torch.ones_like(p_clip), p_clip)
    elif invalid_clip_prob == 'proposal':
        p_clip = torch.where(invalid, p_prop, p_clip)
    probs = p_prop.pow(1 - clip_weight) * p_clip.pow(clip_weight)
    if invalid_clip_prob == 'zero':
        probs = probs * valid[:, None].to(probs.dtype)
    return probs


def classify_proposals(*, clip_logits: Optional[Tensor], valid: Optional[Tensor],
                       proposal_logits: Optional[Tensor], classify_with: str = 'ensemble',
                       clip_weight: float = 0.7, invalid_clip_prob: str = 'one') -> Tensor:
    """Class scores of Q proposals from CLIP, the proposal classifier, or both.

    ``'ensemble'`` is :func:`geometric_ensemble`; it falls back to CLIP alone (invalid
    proposals dropped) when there are no proposal logits (SAM) or when ``clip_weight`` is
    0 -- OVSeg's reading of lambda = 0 (its demo). ``'clip'``: CLIP softmax, invalid
    dropped. ``'proposal'``: the proposal classifier alone (no CLIP pass needed).

    Args:
        clip_logits (Tensor, optional): (Q, K).
        valid (Tensor, optional): (Q,) bool.
        proposal_logits (Tensor, optional): (Q, K+1).
        classify_with (str): ``'ensemble'``, ``'clip'`` or ``'proposal'``.
            Defaults to ``'ensemble'``.
        clip_weight (float): lambda. Defaults to 0.7.
        invalid_clip_prob (str): see :func:`geometric_ensemble`. Defaults to ``'one'``.

    Returns:
        Tensor: (Q, K) class scores, >= 0.
    """
    if classify_with not in CLASSIFY_WITH:
        raise ValueError(f'classify_with must be one of {CLASSIFY_WITH}, not {classify_with!r}')
    if classify_with == 'proposal':
        if proposal_logits is None:
            raise ValueError("classify_with='proposal' needs a proposal generator that "
                             'classifies (class_logits)')
        return proposal_probs(proposal_logits)
    if classify_with == 'ensemble' and proposal_logits is not None and clip_weight > 0:
        return geometric_ensemble(proposal_logits, clip_logits, valid, clip_weight=clip_weight,
                                  invalid_clip_prob=invalid_clip_prob)
    return clip_probs(clip_logits, valid)
