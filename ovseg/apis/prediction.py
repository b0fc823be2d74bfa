"""From a segmentor's ``predict`` to plain per-image data, at bounded memory.

mmseg's postprocess resizes K channels of logits to the original image size before the argmax
(a K x H0 x W0 float tensor: 5 GiB for 21 classes on an 8000x8000 image). Here the model
predicts at its own resolution (the test pipeline's scale) and only the label map is brought
to the image size (:func:`upsample_labels`), with the same result as ``tools/test.py``.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch


def _at_model_resolution(samples: Sequence) -> list:
    """Copies of ``samples`` with ``ori_shape`` set to ``img_shape``, so that mmseg's
    postprocess stops at the model's resolution instead of resizing K channels of logits to
    the original (possibly huge) image size."""
    out = []
    for sample in samples:
        sample = sample.clone()
        sample.set_metainfo(dict(ori_shape=tuple(sample.img_shape[:2])))
        out.append(sample)
    return out


def predict_at_model_resolution(model, batch: dict) -> list:
    """The model's own ``predict`` (so ``test_cfg.mode='slide'`` applies) at its resolution.

    Args:
        model (BaseSegmentor): the segmentor, in eval mode.
        batch (dict): ``inputs`` (B, 3, H, W) and ``data_samples`` from its data preprocessor.

    Returns:
        list[SegDataSample]: per image ``pred_sem_seg`` (1, h, w) and, where the model stores
        them, ``seg_logits`` (K, h, w), (h, w) being the test-pipeline image size
        (``img_shape``, padding removed).
    """
    with torch.no_grad():
        return model.predict(batch['inputs'], _at_model_resolution(batch['data_samples']))


def score_maps(model, batch: dict) -> list:
    """Per-class pixel-text scores of a DenseCLIP model at the model's resolution.

    The softmax over the vocabulary of ``score / tau`` from the model's own ``predict`` with
    ``test_cfg.predict_from='score_map'`` (whole or slide inference, as the config says).

    Returns:
        list[Tensor]: per image (K, h, w) probabilities, (h, w) its test-pipeline size.
    """
    test_cfg = model.test_cfg
    before = test_cfg.get('predict_from')
    test_cfg.predict_from = 'score_map'
    try:
        results = predict_at_model_resolution(model, batch)
    finally:
        if before is None:
            test_cfg.pop('predict_from')
        else:
            test_cfg.predict_from = before
    return [r.seg_logits.data.softmax(dim=0) for r in results]  # (K, h, w) each


def class_probabilities(logits: torch.Tensor, *, composed: bool) -> torch.Tensor:
    """Per-pixel class probabilities (K, h, w) of a model's ``seg_logits``.

    Args:
        logits (Tensor): (K, h, w) ``seg_logits``.
        composed (bool): True for proposal models, whose ``seg_logits`` are non-negative
            composed scores ``sum_q p[q, k] * mask_q``: normalised over K per pixel (a pixel
            no mask covers gets 0 for every class). False: logits, softmax over K.
    """
    if composed:
        return logits / logits.sum(dim=0, keepdim=True).clamp_min(1e-12)
    return logits.softmax(dim=0)


def upsample_labels(logits: torch.Tensor, size: Tuple[int, int], *,
                    align_corners: bool = False, min_score: Optional[float] = None,
                    ignore_index: int = 255, max_elements: int = 1 << 23) -> np.ndarray:
    """Label map at ``size`` of logits at the model's resolution, as ``tools/test.py``.

    mmseg resizes the (K, h, w) logits bilinearly to the original size and takes the argmax;
    done at once, that is a K x H0 x W0 float tensor (5 GiB for 21 classes on an 8000x8000
    image). Here the logits are resized along the width first (K x h x W0), then along the
    height in column blocks of at most ``max_elements`` values, each reduced to its argmax
    at once. The result equals the one-shot resize bit for bit when enlarging (PyTorch's
    bilinear kernel also interpolates along the width first); an output no larger than the
    logits is resized at once, as mmseg does.

    Args:
        logits (Tensor): (K, h, w) logits or scores.
        size (tuple[int, int]): (H0, W0) output size.
        align_corners (bool): as the model's decode head. Defaults to False.
        min_score (float, optional): pixels whose best score is not above it become
            ``ignore_index`` (two-stage models: no mask covers them). Defaults to None.
        ignore_index (int): see ``min_score``. Defaults to 255.
        max_elements (int): floats per column block. Defaults to 2 ** 23 (32 MiB).

    Returns:
        np.ndarray: (H0, W0) int64 labels.
    """
    from mmseg.models.utils import resize
    k, h, w = logits.shape
    height, width = size
    labels = np.empty((height, width), np.int64)
    if height < h or width < w or (height, width) == (h, w):
        blocks = [(0, width, resize(logits[None], size=size, mode='bilinear',
                                    align_corners=align_corners, warning=False)[0])]
    else:
        rows = resize(logits[None], size=(h, width), mode='bilinear',
                      align_corners=align_corners, warning=False)  # (1, K, h, W0)
        step = max(1, max_elements // (k * height))
        blocks = ((x, x + step, rows[..., x:x + step]) for x in range(0, width, step))
    for x0, x1, block in blocks:
        if block.dim() == 4:  # (1, K, h, w') -> (K, H0, w'): only the height is resized
            block = resize(block, size=(height, block.shape[-1]), mode='bilinear',
                           align_corners=align_corners, warning=False)[0]
        index = block.argmax(dim=0)  # (H0, w')
        if min_score is not None:
            index[block.amax(dim=0) <= min_score] = ignore_index
        labels[:, x0:x1] = index.cpu().numpy()
    return labels


def proposals_at_model_resolution(model, batch: dict) -> list:
    """Mask proposals and their class scores of a two-stage model, per image.

    Returns:
        list[tuple[np.ndarray, np.ndarray]]: per image the masks (Q, h, w) in [0, 1] at the
        model's resolution (``img_shape``, padding removed) and the scores (Q, K).
    """
    with torch.no_grad():
        masks, scores = model.classify(batch['inputs'], batch['data_samples'])
    out = []
    for sample, image_masks, image_scores in zip(batch['data_samples'], masks, scores):
        h, w = sample.img_shape[:2]
        out.append((image_masks[:, :h, :w].float().cpu().numpy(),
                    image_scores.float().cpu().numpy()))
    return out
