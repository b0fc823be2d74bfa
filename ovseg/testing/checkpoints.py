"""Hostile-but-clean checkpoints for tests: stored config text that writes a marker if run."""
from typing import Any, Dict


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
