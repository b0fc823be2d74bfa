"""Hands the vocabulary of the dataset being run to the model.

Open-vocabulary models are not tied to a label set at build time: training,
validation and test datasets may each name different classes (SynthWorld seen
classes for training, all classes for validation, or a user-given list). Before
each loop this hook reads the loop's dataset metainfo and calls
``model.set_vocabulary(vocabulary)`` with a :class:`~ovseg.models.clip.vocabulary.Vocabulary`
aligned with the dataset's label ids; after validation it restores the training
vocabulary. Models without ``set_vocabulary`` are left alone.
"""
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ovseg.models.clip.vocabulary import Vocabulary


@HOOKS.register_module()
class VocabularyHook(Hook):
    """Set the model's vocabulary from the running dataset's ``metainfo``.

    Args:
        synonyms_key (str): metainfo key of per-class comma-separated synonym
            strings, preferred over ``classes`` when present (one per class, in the
            order of ``classes``). Defaults to ``'class_synonyms'``.
        test_vocabulary (Sequence[str], optional): names used at test time
            instead of the test dataset's, one per dataset class (renames or
            richer prompts; the metric still needs one name per label id), in the
            dataset's label order. ``tools/test.py --vocabulary FILE`` sets it; it must
            obey :func:`~ovseg.models.clip.vocabulary.check_vocabulary`. Defaults to None.
    """

    priority = 'VERY_HIGH'

    def __init__(self, *, synonyms_key: str = 'class_synonyms',
                 test_vocabulary: Optional[Sequence[str]] = None) -> None:
        self.synonyms_key = synonyms_key
        self.test_vocabulary = (None if test_vocabulary is None
                                else Vocabulary(list(test_vocabulary)))
        self._train_vocabulary: Optional[Vocabulary] = None

    def _vocabulary(self, dataloader) -> Optional[Vocabulary]:
        metainfo = getattr(dataloader.dataset, 'metainfo', None) or {}
        if not metainfo.get('classes'):
            return None
        return Vocabulary.from_metainfo(metainfo, synonyms_key=self.synonyms_key)

    @staticmethod
    def _set(runner, vocabulary: Optional[Vocabulary]) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if vocabulary is not None and hasattr(model, 'set_vocabulary'):
            model.set_vocabulary(vocabulary)

    def before_train(self, runner) -> None:
        self._train_vocabulary = self._vocabulary(runner.train_dataloader)
        self._set(runner, self._train_vocabulary)

    def before_val(self, runner) -> None:
        self._set(runner, self._vocabulary(runner.val_dataloader))

    def after_val(self, runner) -> None:
        self._set(runner, self._train_vocabulary)

    def before_test(self, runner) -> None:
        vocabulary = self._vocabulary(runner.test_dataloader)
        if self.test_vocabulary is not None:
            if vocabulary is not None:
                self.test_vocabulary.aligned_to(
                    vocabulary.names, what='the test vocabulary (--vocabulary)')
            vocabulary = self.test_vocabulary
        self._set(runner, vocabulary)
