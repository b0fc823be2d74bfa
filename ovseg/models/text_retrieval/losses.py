"""FDP's losses: DBNet balanced BCE with hard-negative mining, distracted-query KL."""
import torch
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class BalancedBCELoss(nn.Module):
    """Binary cross-entropy over positives and the hardest ``ratio`` x as many negatives.

    DBNet (https://arxiv.org/abs/1911.08947), Sec. 3.4, Eq. (2), as FDP supervises its text
    score map (Sec. 3.1): all positive cells count; among the negative cells only the
    ``min(#neg, ratio * #pos)`` with the largest loss (over the whole batch); cells with mask
    0 are ignored. The sum is divided by the number of selected cells.

    Args:
        negative_ratio (float): negatives per positive. Defaults to 3.0.
        eps (float): added to the divisor. Defaults to 1e-6.

    Examples:
        >>> loss = BalancedBCELoss()
        >>> gt = torch.tensor([[[1., 0., 0., 0., 0.]]])
        >>> float(loss(torch.zeros(1, 1, 5), gt, torch.ones(1, 1, 5)))  # all cells ln 2
        0.6931...
    """

    def __init__(self, *, negative_ratio: float = 3.0, eps: float = 1e-6) -> None:
        super().__init__()
        self.negative_ratio = negative_ratio
        self.eps = eps

    def forward(self, logits: Tensor, target: Tensor, mask: Tensor) -> Tensor:
        """Score-map logits, {0, 1} targets and {0, 1} validity masks, any equal shapes
        (e.g. (B, H, W)) -> scalar loss."""
        positive = target * mask
        negative = (1 - target) * mask
        num_pos = int(positive.sum())
        num_neg = min(int(negative.sum()), int(num_pos * self.negative_ratio))
        loss = F.binary_cross_entropy_with_logits(logits, target, reduction='none')
        pos_loss = (loss * positive).sum()
        neg_loss = torch.topk((loss * negative).flatten(), num_neg).values.sum()
        return (pos_loss + neg_loss) / (num_pos + num_neg + self.eps)


def distracted_kl_loss(logits: Tensor, target: Tensor, valid: Tensor) -> Tensor:
    """KL(target || softmax(logits)) over each query's candidates, mean over queries.

    FDP Sec. 3.3 (distracted-queries assistance): ``batchmean`` KL between the fixed target
    ``softmax(1 / (d + 0.1))`` over the candidates (:func:`distracted_targets`) and the
    softmax of the image's scaled cosine similarity to each candidate.

    Args:
        logits (Tensor): (B, M) scaled similarities of each image to its M candidates.
        target (Tensor): (B, M) target distribution (0 on padding).
        valid (Tensor): (B, M) bool, False on padding (excluded from the softmax).

    Returns:
        Tensor: scalar.
    """
    log_prob = torch.log_softmax(logits.masked_fill(~valid, float('-inf')), dim=-1)  # (B, M)
    terms = torch.where(valid & (target > 0),
                        target * (torch.log(target.clamp_min(1e-12)) - log_prob),
                        torch.zeros_like(target))
    return terms.sum() / logits.shape[0]
