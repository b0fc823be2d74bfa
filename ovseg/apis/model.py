"""Building a segmentor from a config and (optionally) a checkpoint for inference."""
import logging
from typing import Any, Optional

from torch import nn

from ovseg.compat import load_model_weights


def init_weights_quietly(model: nn.Module) -> None:
    """``model.init_weights()`` (loads every ``pretrained`` / ``init_cfg`` the config names)
    without mmengine's INFO line per parameter; warnings (e.g. missing keys) still show."""
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def init_segmentor(config: Any, checkpoint: Optional[str] = None, *, device: str = 'cpu',
                   cfg_options: Optional[dict] = None) -> nn.Module:
    """``mmseg.apis.init_model`` with the checkpoint loaded strictly, or none needed.

    mmseg's ``init_model`` loads non-strictly, so a checkpoint of another config (other
    widths) runs a partly random model with only a log line. Here the model is built by
    ``init_model`` without weights and the checkpoint goes through
    :func:`ovseg.compat.load_model_weights` (weights-only, strict, config text never read).
    ``model.dataset_meta`` comes from ``meta.dataset_meta`` (or mmseg 0.x ``CLASSES`` /
    ``PALETTE``) when the checkpoint has it; it is left unset otherwise (mmseg would guess a
    dataset from the number of classes).

    Without a checkpoint the weights come from ``init_weights()``, as ``tools/test.py``
    without CKPT and the start of training set them: every ``pretrained`` and ``init_cfg`` of
    the config (zero-shot CLIP heads, a two-stage model's stage-1 weights). ``dataset_meta``
    is then the config's test dataset metainfo (:func:`ovseg.apis.load_test_metainfo`) when
    the config has a ``test_dataloader``.

    Args:
        config (str | Config): config file or object.
        checkpoint (str, optional): checkpoint file; None initialises the weights with
            ``init_weights()``. Defaults to None.
        device (str): where the model runs. Defaults to ``'cpu'``.
        cfg_options (dict, optional): config overrides.

    Raises:
        CheckpointMismatchError: the checkpoint's keys or shapes do not fit the model.
        CheckpointError: the file is missing, not a checkpoint, truncated or unsafe.
    """
    from mmseg.apis import init_model
    model = init_model(config, None, device='cpu', cfg_options=cfg_options)
    return load_weights_or_init(model, checkpoint, device=device)


def init_detector(config: Any, checkpoint: Optional[str] = None, *, device: str = 'cpu',
                  cfg_options: Optional[dict] = None) -> nn.Module:
    """:func:`init_segmentor` for mmdet detectors: ``mmdet.apis.init_detector`` builds the
    model (no weights, and not its COCO class names), the rest is the same."""
    import warnings

    from mmdet.apis import init_detector as mmdet_init_detector
    with warnings.catch_warnings():  # "checkpoint is None, use COCO classes": replaced below
        warnings.simplefilter('ignore')
        model = mmdet_init_detector(config, None, palette='random', device='cpu',
                                    cfg_options=cfg_options)
    model.dataset_meta = {}
    return load_weights_or_init(model, checkpoint, device=device)


def load_weights_or_init(model: nn.Module, checkpoint: Optional[str] = None, *,
                         device: str = 'cpu', dataset_meta: bool = True) -> nn.Module:
    """A built model with its weights, on ``device`` in eval mode: the tail of every
    ``init_*`` of ovseg (:func:`init_segmentor`, :func:`init_detector` and
    :func:`ovseg.apis.retrieval.load_retriever_model`).

    With ``checkpoint`` the weights are loaded strictly
    (:func:`ovseg.compat.load_model_weights`), else they come from ``init_weights()`` (every
    ``pretrained`` / ``init_cfg`` of the config), without its INFO line per parameter.

    Args:
        model (nn.Module): a model built from ``model.cfg``.
        checkpoint (str, optional): checkpoint file. Defaults to None (``init_weights()``).
        device (str): Defaults to ``'cpu'``.
        dataset_meta (bool): also set ``model.dataset_meta``: from the checkpoint's
            ``meta.dataset_meta`` (or mmseg 0.x ``CLASSES`` / ``PALETTE``), or without a
            checkpoint from the config's test dataset metainfo (built with ``lazy_init``, so
            its type must be registered here). False leaves it alone: a retriever queries an
            index, its config's test dataset need not be usable where it runs. Defaults to
            True.

    Raises:
        CheckpointMismatchError: the checkpoint's keys or shapes do not fit the model.
        CheckpointError: the file is missing, not a checkpoint, truncated or unsafe.
    """
    from .config import load_test_metainfo
    if checkpoint is not None:
        meta = load_model_weights(model, checkpoint, strict=True).get('meta') or {}
        if dataset_meta and 'dataset_meta' in meta:
            model.dataset_meta = meta['dataset_meta']
        elif dataset_meta and 'CLASSES' in meta:
            model.dataset_meta = dict(classes=meta['CLASSES'], palette=meta.get('PALETTE'))
    else:
        init_weights_quietly(model)
        if dataset_meta and model.cfg.get('test_dataloader'):
            model.dataset_meta = load_test_metainfo(model.cfg)
    return model.to(device).eval()
