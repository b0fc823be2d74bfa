"""The Runner every ovseg config runs with (``runner_type = 'OVSegRunner'``).

mmengine's :class:`~mmengine.runner.Runner` with ovseg's checkpoint guarantees
(see README "Checkpoint safety" and "Resume"). Only what mmengine's Runner has
no switch for is overridden here; everything else is mmengine's own.
"""
import contextlib
from typing import Any, Callable, Dict, Iterator, Union

from mmengine.model import is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ovseg.compat import drop_config_text, load_model_weights, read_checkpoint, read_config_value


@RUNNERS.register_module()
class OVSegRunner(Runner):
    """mmengine's Runner, registered in mmengine's root ``RUNNERS``.

    Built by :func:`ovseg.apis.build_runner` (and by ``RUNNERS.build(cfg)``) for
    every config that inherits ``configs/_base_/default_runtime.py``.

    Checkpoint loading differs from mmengine's in two ways:

    - No config text from a checkpoint is executed. mmengine's ``resume`` runs
      ``Config.fromstring(checkpoint['meta']['config'])`` (Python source from the
      file) only to read ``gpu_ids``; :meth:`load_checkpoint` removes every stored
      config text before ``resume`` sees the dict, and :meth:`resume` does the same
      GPU-count check on the value parsed with :mod:`ast` (nothing executed).
    - ``test()`` and ``val()`` load ``load_from`` strictly
      (:func:`ovseg.compat.load_model_weights`): weights of another config are an
      error naming the keys. Training's ``load_from`` (fine-tuning) stays non-strict
      and logs the same key report.
    """

    _strict_weights: bool = False
    _resumed_config_text: str = ''

    @contextlib.contextmanager
    def _strict_weight_loading(self) -> Iterator[None]:
        previous, self._strict_weights = self._strict_weights, True
        try:
            yield
        finally:
            self._strict_weights = previous

    def test(self) -> Dict[str, float]:
        """mmengine's ``test`` with ``load_from`` loaded strictly."""
        with self._strict_weight_loading():
            return super().test()

    def val(self) -> Dict[str, float]:
        """mmengine's ``val`` with ``load_from`` loaded strictly."""
        with self._strict_weight_loading():
            return super().val()

    def load_checkpoint(self, filename: str, map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module\.', '')]) -> Dict[str, Any]:  # noqa: B006
        """mmengine's ``load_checkpoint`` without config text, strict for test/val.

        Returns the checkpoint with ``meta['config']``, ``meta['cfg']`` and
        ``message_hub.runtime_info.cfg`` removed (their text is kept unexecuted for
        :meth:`resume`'s GPU-count check), so no caller can hand them to
        ``Config.fromstring``.
        """
        checkpoint = read_checkpoint(filename, map_location=map_location)
        self._resumed_config_text = drop_config_text(checkpoint).get('meta.config', '')
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        load_model_weights(model, checkpoint, strict=strict or self._strict_weights,
                           revise_keys=revise_keys, logger=self.logger, name=filename)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def resume(self, filename: str, *args: Any, **kwargs: Any) -> None:
        """mmengine's ``resume``, with its GPU-count check done without executing config text."""
        super().resume(filename, *args, **kwargs)
        self._check_resumed_gpu_count()

    def _check_resumed_gpu_count(self) -> None:
        """mmengine's check that the resumed run used as many GPUs (its ``gpu_ids``) as this one.

        The value is read with :func:`ovseg.compat.read_config_value` (``ast`` parse +
        literal evaluation), never by executing the stored text.
        """
        gpu_ids = read_config_value(self._resumed_config_text, 'gpu_ids')
        self._resumed_config_text = ''
        if not isinstance(gpu_ids, (list, tuple)) or not gpu_ids \
                or len(gpu_ids) == self._world_size:
            return
        if self.auto_scale_lr is None or not self.auto_scale_lr.get('enable', False):
            raise RuntimeError(
                f'The checkpoint being resumed was trained on {len(gpu_ids)} GPUs, this run '
                f'uses {self._world_size}: the learning rate would not fit. Set '
                f'auto_scale_lr=dict(enable=True, ...) to rescale it.')
        self.logger.info(f'The checkpoint was trained on {len(gpu_ids)} GPUs, this run uses '
                         f'{self._world_size}; the learning rate is rescaled by '
                         f'auto_scale_lr={self.auto_scale_lr}.')
