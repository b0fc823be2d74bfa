"""Checkpoints for tests: hostile-but-clean ones (stored config text that writes a marker if
run) and the full checkpoint of a config's model right after ``init_weights``."""
import argparse
from typing import Any, Dict, Optional, Sequence

import torch
from mmengine.config import DictAction


def config_text_writing(marker: str, extra: str = '') -> str:
    """Python config source that, if executed, writes the file ``marker``.

    Args:
        marker (str): file the code would create.
        extra (str): config lines appended (e.g. ``'gpu_ids = [0, 1]\\n'``).
    """
    # ``__import__`` rather than an import statement: mmengine turns config imports into lazy
    # objects, so this form is the one ``Config.fromstring`` really runs
    return f"__import__('pathlib').Path({marker!r}).write_text('ran')\n{extra}"


def add_config_text(checkpoint: Dict[str, Any], marker: str, extra: str = '') -> Dict[str, Any]:
    """Put :func:`config_text_writing` everywhere mmengine/mmcv keep config text, in place.

    ``meta.config`` (executed by mmengine's ``Runner.resume``), ``meta.cfg`` and
    ``message_hub.runtime_info.cfg`` (executed by mmengine's inferencers). The result stays
    weights-only loadable: it is only strings, so only a config parser can run it.

    Returns:
        dict: ``checkpoint``.
    """
    code = config_text_writing(marker, extra)
    checkpoint.setdefault('meta', {}).update(config=code, cfg=code)
    checkpoint.setdefault('message_hub', {}).setdefault('runtime_info', {})['cfg'] = code
    return checkpoint


def parse_cfg_options(options: Sequence[str]) -> dict:
    """``key=value`` strings parsed as the tools' ``--cfg-options`` (mmengine's DictAction)."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options if options else {}


def save_init_weights_checkpoint(config: str, path: str, *, cfg_options: Sequence[str] = (),
                                 part: Optional[str] = None,
                                 part_prefix: Optional[str] = None) -> str:
    """A full checkpoint of ``config``'s model right after ``init_weights()``, for tests that
    compare against (or need) a checkpoint file.

    The model is built from the config (its ``default_scope``) and initialised by
    ``init_weights()``; ``meta.dataset_meta`` is the config's test dataset metainfo when it
    has a ``test_dataloader``. ``part`` (e.g. a trained stage 1) is loaded on top
    non-strictly, only its keys starting with ``part_prefix`` when given. Saved as
    ``{'meta': ..., 'state_dict': ...}``, as a Runner checkpoint keeps the test set's metainfo.

    Returns:
        str: ``path``.
    """
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from ovseg.apis import init_weights_quietly, load_test_metainfo
    from ovseg.compat import load_model_weights, read_state_dict
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(parse_cfg_options(cfg_options))
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        model = MODELS.build(cfg.model)
        init_weights_quietly(model)
        meta = {'dataset_meta': load_test_metainfo(cfg)} if cfg.get('test_dataloader') else {}
    if part is not None:
        weights = {k: v for k, v in read_state_dict(part).items()
                   if part_prefix is None or k.startswith(part_prefix)}
        load_model_weights(model, weights, strict=False, name=part)
    torch.save(dict(meta=meta, state_dict=model.state_dict()), path)
    return path
