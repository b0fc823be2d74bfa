"""Calibrated stacking: a test-time penalty on the scores of seen classes.

Chao et al., "An Empirical Study and Analysis of Generalized Zero-Shot Learning for Object
Recognition in the Wild", ECCV 2016 (https://arxiv.org/abs/1605.04253), calibrated stacking:
in the generalised setting (seen and unseen names compete), a classifier trained on the seen
classes scores them too high, so the prediction becomes

    y = argmax_c  S(x, c) - gamma * 1[c is seen]

with one scalar ``gamma`` tuned on held-out data (never on the test split). ``gamma = 0`` is
the uncalibrated classifier; ``gamma -> inf`` predicts unseen classes only. Every head that
scores a vocabulary (two-stage, DenseCLIP, ...) shares this one rule.
"""
from typing import Optional, Sequence, Union

import torch
from torch import Tensor

from .vocabulary import Vocabulary, display_name


def calibrated_stacking(scores: Tensor, seen: Tensor, gamma: float, *, dim: int = 1) -> Tensor:
    """Subtract ``gamma`` from the scores of the seen classes (Chao et al. 2016).

    ``gamma`` is in the units of ``scores``: pass logits or log-probabilities (then it is a
    log-ratio: subtracting ``gamma`` from a seen class's logit multiplies its softmax
    probability by ``exp(-gamma)`` before renormalisation, and the argmax is the same as on
    the calibrated logits). On probabilities the rule is the same subtraction, but the result
    can be negative; heads that need non-negative scores calibrate in log space
    (``calibrated_stacking(p.log(), seen, gamma).exp()``).

    Args:
        scores (Tensor): class scores with the K classes along ``dim``: (N, K) per region
            or (N, K, H, W) per pixel (``dim=1``), (K, H, W) with ``dim=0``, ...
        seen (Tensor): (K,) bool, True for the classes seen in training.
        gamma (float): the penalty, >= 0 (0 returns ``scores`` unchanged).
        dim (int): the class dimension of ``scores``. Defaults to 1.

    Returns:
        Tensor: the calibrated scores, same shape and dtype as ``scores``.

    Examples:
        >>> import torch
        >>> logits = torch.tensor([[3.0, 2.5, 0.0]])  # classes 0, 1 seen, class 2 unseen
        >>> seen = torch.tensor([True, True, False])
        >>> calibrated_stacking(logits, seen, 1.0)
        tensor([[2.0000, 1.5000, 0.0000]])
        >>> calibrated_stacking(logits, seen, 3.5).argmax(dim=1).tolist()
        [2]
        >>> calibrated_stacking(torch.zeros(2, 3, 4, 5), seen, 1.0)[:, :, 0, 0]
        tensor([[-1., -1.,  0.],
                [-1., -1.,  0.]])
    """
    if gamma < 0:
        raise ValueError(f'gamma (the seen-class penalty) must be >= 0, got {gamma}')
    seen = torch.as_tensor(seen, dtype=torch.bool, device=scores.device)
    num_classes = scores.shape[dim]
    if seen.dim() != 1 or seen.shape[0] != num_classes:
        raise ValueError(f'seen must be a (K,) mask with K = {num_classes} (scores dim {dim}), '
                         f'got shape {tuple(seen.shape)}')
    if gamma == 0:
        return scores
    shape = [1] * scores.dim()
    shape[dim] = num_classes
    return scores - gamma * seen.to(scores.dtype).view(shape)


def seen_class_mask(vocabulary: Union[Vocabulary, Sequence[str]],
                    seen_classes: Optional[Sequence[str]] = None) -> Tensor:
    """(K,) bool mask of the vocabulary entries seen in training.

    From ``seen_classes`` when given: an entry matches by its display name (first synonym),
    case-insensitively, so ``'road, route'`` matches ``'road'``. Otherwise from the
    vocabulary's own ``seen`` flags, which :meth:`Vocabulary.from_metainfo` reads from the
    dataset (SynthWorld's ``metainfo['seen']``, COCO's base / novel split): the split is then
    written once, in the dataset, not again in every config.

    Args:
        vocabulary (Vocabulary | Sequence[str]): the K class entries in label order.
        seen_classes (Sequence[str], optional): names of the classes seen in training;
            overrides the vocabulary's flags. Defaults to None.

    Returns:
        Tensor: (K,) bool.

    Raises:
        ValueError: a name of ``seen_classes`` is in no vocabulary entry (a typo would
            otherwise switch calibration off silently), or neither ``seen_classes`` nor
            the vocabulary's flags say which classes were seen.

    Examples:
        >>> seen_class_mask(['circle', 'heart', 'road, route'], ['road', 'Circle']).tolist()
        [True, False, True]
        >>> seen_class_mask(Vocabulary(['circle', 'heart'], seen=[True, False])).tolist()
        [True, False]
    """
    if seen_classes is None:
        flags = getattr(vocabulary, 'seen', None)
        if flags is None:
            raise ValueError('calibrated stacking needs the seen classes: set '
                             'test_cfg.seen_classes, or run on a dataset whose metainfo has '
                             "'seen' flags (one per class)")
        return torch.tensor(flags, dtype=torch.bool)
    if isinstance(seen_classes, str):
        raise TypeError('seen_classes must be a sequence of names, not a string')
    names = [display_name(entry).lower() for entry in vocabulary]
    wanted = {name.strip().lower() for name in seen_classes}
    unknown = sorted(wanted - set(names))
    if unknown:
        raise ValueError(f'seen_classes {unknown} are not in the vocabulary {names}')
    return torch.tensor([name in wanted for name in names], dtype=torch.bool)


__all__ = ['calibrated_stacking', 'seen_class_mask']
