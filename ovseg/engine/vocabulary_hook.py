"""Hands the vocabulary of the dataset being run to the model.

Open-vocabulary models are not tied to a label set at build time: training,
validation and test datasets may each name different classes (SynthWorld seen
classes for training, all classes for validation, or a user-given list). Before
each loop this hook reads the loop's dataset metainfo and calls
``model.set_vocabulary(names)``; after validation it restores the training
vocabulary. Models without ``set_vocabulary`` are left alone.
"""
from typing import List, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ovseg.models.clip.vocabulary import VocabularyError, check_vocabulary


@HOOKS.register_module()
class VocabularyHook(Hook):
    """Set the model's vocabulary from the running dataset's ``metainfo``.

    Args:
        synonyms_key (str): metainfo key of per-class comma-separated synonym
            strings, preferred over ``classes`` when present. Defaults to
            ``'class_synonyms'``.
        test_vocabulary (Sequence[str], optional): names used at test time
            instead of the test dataset's, one per dataset class (renames or
            richer prompts; the metric still needs one name per label id).
            ``tools/test.py --vocabulary FILE`` sets it; it must obey
            :func:`~ovseg.models.clip.vocabulary.check_vocabulary`. Defaults to None.
    """

    priority = 'VERY_HIGH'

    def __init__(self, *, synonyms_key: str = 'class_synonyms',
                 test_vocabulary: Optional[Sequence[str]] = None) -> None:
        self.synonyms_key = synonyms_key
        self.test_vocabulary = (None if test_vocabulary is None
                                else check_vocabulary(list(test_vocabulary)))
        self._train_vocabulary: Optional[List[str]] = None

    def _names(self, dataloader) -> Optional[List[str]]:
        metainfo = getattr(dataloader.dataset, 'metainfo', None) or {}
        names = metainfo.get(self.synonyms_key) or metainfo.get('classes')
        return list(names) if names else None

    @staticmethod
    def _set(runner, names: Optional[List[str]]) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if names is not None and hasattr(model, 'set_vocabulary'):
            model.set_vocabulary(names)

    def before_train(self, runner) -> None:
        self._train_vocabulary = self._names(runner.train_dataloader)
        self._set(runner, self._train_vocabulary)

    def before_val(self, runner) -> None:
        self._set(runner, self._names(runner.val_dataloader))

    def after_val(self, runner) -> None:
        self._set(runner, self._train_vocabulary)

    def before_test(self, runner) -> None:
        names = self._names(runner.test_dataloader)
        if self.test_vocabulary is not None:
            if names is not None and len(self.test_vocabulary) != len(names):
                raise VocabularyError(
                    f'the test vocabulary (--vocabulary) has {len(self.test_vocabulary)} '
                    f'names but the test dataset has {len(names)} classes; give one name '
                    f'(or comma-separated synonyms) per dataset class, in label order')
            names = self.test_vocabulary
        self._set(runner, names)
