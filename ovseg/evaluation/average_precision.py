"""Average precision of one ranking, shared by the attribute and the retrieval metrics."""
import numpy as np


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Average precision of one class or query: ``Σ_n (R_n - R_{n-1}) P_n`` over score thresholds.

    The definition of scikit-learn's ``average_precision_score`` (no interpolation; tied
    scores form one threshold), written out so that ovseg needs no scikit-learn.

    Args:
        scores (np.ndarray): (N,) scores, higher = more likely positive.
        labels (np.ndarray): (N,) 1 / True positive (relevant), 0 / False negative.

    Returns:
        float: AP in [0, 1]; NaN without a positive.

    Examples:
        >>> average_precision(np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1]))
        0.8333333333333333
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    if not labels.any():
        return float('nan')
    order = np.argsort(-scores, kind='stable')
    scores, labels = scores[order], labels[order]
    last = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]  # end of each tie group
    tp = np.cumsum(labels)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / labels.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
