"""CLIP's pixel statistics: the one definition of CLIP mean/std in ovseg, and (de)normalisation.

The values are open_clip's ``OPENAI_DATASET_MEAN``/``OPENAI_DATASET_STD`` (0-1) scaled to RGB
0-255, the range of ovseg's raw inputs and of mmengine's data preprocessors. Every head that
normalises for CLIP itself (mask crops, text-prompted SAM, the CLIP pretraining and
fine-tuning preprocessors) reads them here. Config files keep literal numbers (a config is
data and resolves without importing ovseg); ``tests/test_models/test_clip/test_normalization.py``
checks them against these.
"""
from typing import Sequence, Tuple

import open_clip
from torch import Tensor

CLIP_MEAN: Tuple[float, float, float] = tuple(255 * v for v in open_clip.OPENAI_DATASET_MEAN)
CLIP_STD: Tuple[float, float, float] = tuple(255 * v for v in open_clip.OPENAI_DATASET_STD)


def normalize_image(image: Tensor, mean: Sequence[float] = CLIP_MEAN,
                    std: Sequence[float] = CLIP_STD) -> Tensor:
    """(..., 3, H, W) RGB 0-255 -> CLIP-normalised, channel-wise ``(x - mean) / std``.

    Examples:
        >>> import torch
        >>> bool(normalize_image(torch.tensor(CLIP_MEAN).view(3, 1, 1)).eq(0).all())
        True
    """
    mean_t = image.new_tensor(mean).view(3, 1, 1)
    std_t = image.new_tensor(std).view(3, 1, 1)
    return (image - mean_t) / std_t


def denormalize_image(image: Tensor, mean: Sequence[float] = CLIP_MEAN,
                      std: Sequence[float] = CLIP_STD) -> Tensor:
    """Inverse of :func:`normalize_image`: (..., 3, H, W) back to RGB 0-255 (float)."""
    return image * image.new_tensor(std).view(3, 1, 1) + image.new_tensor(mean).view(3, 1, 1)


def clip_data_preprocessor() -> dict:
    """Config of the ``ImgDataPreprocessor`` CLIP expects: BGR uint8 in, CLIP-normalised RGB out
    (whole images for CLIP pretraining, region crops for mask-adapted fine-tuning)."""
    return dict(type='ImgDataPreprocessor', mean=list(CLIP_MEAN), std=list(CLIP_STD),
                bgr_to_rgb=True)
