"""Federated multi-label BCE over positive / negative / unknown labels, and its class weights."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import Tensor

POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1


def frequency_weights(counts: Tensor, power: float = 0.25) -> Tensor:
    """Per-class loss weights ``w_c ∝ counts_c ** -power``, renormalised to mean 1.

    CLIP-Attr / OvarNet (https://arxiv.org/abs/2301.09506; released config
    ``re_weight_different_att=0.25``): rarely labelled attributes weigh more. Classes with no
    labelled example get weight 0 and are left out of the mean.

    Args:
        counts (Tensor): (K,) labelled (positive + negative) examples per class.
        power (float): the exponent. Defaults to 0.25.

    Returns:
        Tensor: (K,) float weights, mean 1 over classes with a count.

    Examples:
        >>> frequency_weights(torch.tensor([1, 16, 0])).tolist()
        [1.3333333730697632, 0.6666666865348816, 0.0]
    """
    counts = counts.float()
    labelled = counts > 0
    weights = torch.where(labelled, counts.clamp(min=1) ** -power, torch.zeros_like(counts))
    if labelled.any():
        weights = weights / weights[labelled].mean()
    return weights


@MODELS.register_module()
class FederatedAttributeLoss(BaseModule):
    """Sigmoid BCE over one label space with positive / negative / unknown labels.

    CLIP-Attr and OvarNet's loss (https://arxiv.org/abs/2301.09506; the released
    ``PromptHead``): independent sigmoids on the logits; labelled entries (1 / 0) give
    ``BCE(logit, label)`` weighted by the class weight; unknown entries (-1) are treated as
    weak negatives, ``λ_unk · BCE(logit, 0)``. Each term is the weighted mean over its
    entries:

    ``L = Σ_known w_c BCE(x, y) / N_known + λ_unk Σ_unknown w_c BCE(x, 0) / N_unknown``

    Federated: an entry counts only if its sample annotates this label space
    (``sample_mask``, e.g. attribute data for attributes, detection data for categories)
    and its class is trained (``class_weights`` > 0: seen classes with labelled data).

    Args:
        unknown_weight (float): λ_unk. Defaults to 0.2 (CLIP-Attr step I).
        loss_weight (float): factor on the whole loss. Defaults to 1.0.

    Examples:
        >>> loss = FederatedAttributeLoss(unknown_weight=0.5)
        >>> loss(torch.zeros(1, 3), torch.tensor([[1, 0, -1]])).item()  # ln 2 + 0.5 ln 2
        1.0397207736968994
    """

    def __init__(self, *, unknown_weight: float = 0.2, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.unknown_weight = unknown_weight
        self.loss_weight = loss_weight

    def forward(self, logits: Tensor, targets: Tensor, *, sample_mask: Optional[Tensor] = None,
                class_weights: Optional[Tensor] = None) -> Tensor:
        """Loss of one label space.

        Args:
            logits (Tensor): (B, K) logits.
            targets (Tensor): (B, K) int, 1 positive, 0 negative, -1 unknown.
            sample_mask (Tensor, optional): (B,) bool, the samples that annotate this
                label space. Defaults to None (all).
            class_weights (Tensor, optional): (K,) weights; 0 leaves a class out.
                Defaults to None (all 1).

        Returns:
            Tensor: scalar loss; 0 (with a graph) when no entry counts.
        """
        if logits.shape != targets.shape:
            raise ValueError(f'logits {tuple(logits.shape)} and targets '
                             f'{tuple(targets.shape)} differ in shape')
        weights = logits.new_ones(logits.shape)  # (B, K)
        if class_weights is not None:
            weights = weights * class_weights.to(logits)[None]
        if sample_mask is not None:
            weights = weights * sample_mask.to(logits)[:, None]
        known = (targets >= 0) & (weights > 0)
        unknown = (targets == UNKNOWN) & (weights > 0)
        bce = F.binary_cross_entropy_with_logits(
            logits, (targets == POSITIVE).to(logits), reduction='none')  # (B, K)
        loss = (bce * weights * known).sum() / known.sum().clamp(min=1)
        loss = loss + self.unknown_weight * (bce * weights * unknown).sum() / unknown.sum().clamp(
            min=1)
        return self.loss_weight * loss
