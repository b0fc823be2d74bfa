"""mmcv's ``LoadImageFromFile`` with an error that names the image it could not read.

mmcv 2.1.0 reads every dataset and demo image through ``LoadImageFromFile``. A missing file
ends in a bare ``FileNotFoundError``, an empty one in a ``cv2.error`` about ``!buf.empty()``
and an undecodable one in ``AssertionError: failed to load image``. Every config names the
transform by its mmcv name, so instead of a second transform we wrap its ``transform`` once
(applied on ``import ovseg``): the three cases raise :class:`ImageReadError` with the path
and the reason. ``ignore_empty=True`` keeps mmcv's behaviour (the sample is skipped).
"""
import os
from typing import Optional

import cv2
from mmcv.transforms import LoadImageFromFile

from ovseg.utils.errors import InputError


class ImageReadError(InputError):
    """An input image that is missing, empty or cannot be decoded; names the file."""


def _reason(path: str) -> str:
    try:
        if os.path.getsize(path) == 0:
            return 'the file is empty (0 bytes)'
    except OSError:  # not a local file (another fileio backend)
        pass
    return 'it is not a decodable image (truncated, corrupt or another format)'


def patch_image_loading() -> None:
    """Make ``LoadImageFromFile`` raise :class:`ImageReadError` (idempotent)."""
    original = LoadImageFromFile.transform
    if getattr(original, '_ovseg_patched', False):
        return

    def transform(self, results: dict) -> Optional[dict]:
        if self.ignore_empty:
            return original(self, results)
        path = results['img_path']
        try:
            return original(self, results)
        except FileNotFoundError:
            raise ImageReadError(f'image {path} does not exist') from None
        # mmcv's only assertion there is "img is not None" (decoding failed); cv2, PIL and
        # turbojpeg report undecodable bytes as cv2.error, OSError or ValueError
        except (AssertionError, OSError, ValueError, cv2.error):
            raise ImageReadError(f'cannot read image {path}: {_reason(path)}') from None

    transform._ovseg_patched = True
    transform.__doc__ = original.__doc__
    LoadImageFromFile.transform = transform
