"""Building a segmentor from a config and a checkpoint for inference, loaded strictly."""
from typing import Any, Optional

from torch import nn

from ovseg.compat import load_model_weights


def init_segmentor(config: Any, checkpoint: Optional[str], *, device: str = 'cpu',
                   cfg_options: Optional[dict] = None) -> nn.Module:
    """``mmseg.apis.init_model`` with the checkpoint loaded strictly.

    mmseg's ``init_model`` loads non-strictly, so a checkpoint of another config (other
    widths) runs a partly random model with only a log line. Here the model is built by
    ``init_model`` without weights and the checkpoint goes through
    :func:`ovseg.compat.load_model_weights` (weights-only, strict, config text never read).
    ``model.dataset_meta`` comes from ``meta.dataset_meta`` (or mmseg 0.x ``CLASSES`` /
    ``PALETTE``) when the checkpoint has it; it is left unset otherwise (mmseg would guess a
    dataset from the number of classes).

    Args:
        config (str | Config): config file or object.
        checkpoint (str, optional): checkpoint file; None builds with random weights.
        device (str): where the model runs. Defaults to ``'cpu'``.
        cfg_options (dict, optional): config overrides.

    Raises:
        CheckpointMismatchError: the checkpoint's keys or shapes do not fit the model.
        CheckpointError: the file is missing, not a checkpoint, truncated or unsafe.
    """
    from mmseg.apis import init_model
    model = init_model(config, None, device='cpu', cfg_options=cfg_options)
    if checkpoint is not None:
        meta = load_model_weights(model, checkpoint, strict=True).get('meta') or {}
        if 'dataset_meta' in meta:
            model.dataset_meta = meta['dataset_meta']
        elif 'CLASSES' in meta:
            model.dataset_meta = dict(classes=meta['CLASSES'], palette=meta.get('PALETTE'))
    return model.to(device).eval()
