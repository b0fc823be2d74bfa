"""The Runner every ovseg config runs with (``runner_type = 'OVSegRunner'``).

mmengine's :class:`~mmengine.runner.Runner` with ovseg's checkpoint guarantees
(see README "Checkpoint safety" and "Resume"). Only what mmengine's Runner has
no switch for is overridden here; everything else is mmengine's own.
"""
from mmengine.registry import RUNNERS
from mmengine.runner import Runner


@RUNNERS.register_module()
class OVSegRunner(Runner):
    """mmengine's Runner, registered in mmengine's root ``RUNNERS``.

    Built by :func:`ovseg.apis.build_runner` (and by ``RUNNERS.build(cfg)``) for
    every config that inherits ``configs/_base_/default_runtime.py``.
    """
