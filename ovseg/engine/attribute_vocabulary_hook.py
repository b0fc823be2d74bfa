"""Hands attribute and category vocabularies (with parent types) and the training label space
to attribute models (``CLIPAttr``, ``OvarNet``)."""
from typing import Optional

import numpy as np
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ovseg.models.clip.vocabulary import Vocabulary

from .vocabulary_hook import VocabularyHook


def attribute_vocabulary(metainfo: dict) -> Optional[Vocabulary]:
    """``metainfo['attributes']`` with ``metainfo['attribute_types']`` as parents, or None."""
    attributes = metainfo.get('attributes')
    if not attributes:
        return None
    return Vocabulary(list(attributes), parents=metainfo.get('attribute_types'))


def attribute_label_counts(dataset, num_attributes: int) -> np.ndarray:
    """(A,) labelled (positive or negative) examples of each attribute in ``dataset``.

    Reads every item's ``attribute_targets`` (1 / 0 / -1), as ``SynthWorldAttributeDataset``
    gives, or those of its ``instances`` (per-image items); items without them count nothing.
    """
    counts = np.zeros(num_attributes, dtype=np.int64)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        for item in [info] + list(info.get('instances', ())):
            targets = item.get('attribute_targets')
            if targets is not None:
                counts += np.asarray(targets) >= 0
    return counts


@HOOKS.register_module()
class AttributeVocabularyHook(VocabularyHook):
    """:class:`VocabularyHook` plus the attribute vocabulary and the training label space.

    Before each loop, besides the category vocabulary, calls
    ``model.set_attribute_vocabulary(Vocabulary(attributes, parents=attribute_types))`` from
    the loop dataset's metainfo. Before training, also
    ``model.set_training_label_space(attribute_counts=..., attribute_trained=...,
    category_trained=...)``: counts of labelled examples per attribute in the training set
    (for the class weights), and the metainfo's ``attribute_seen`` / ``seen`` flags (unseen
    classes are never trained on, OvarNet's open-vocabulary protocol).

    Args:
        synonyms_key (str): see :class:`VocabularyHook`. Defaults to ``'class_synonyms'``.
        test_vocabulary (Sequence[str], optional): see :class:`VocabularyHook`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._label_space: Optional[dict] = None

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def _set_attributes(self, runner, dataloader) -> None:
        metainfo = getattr(dataloader.dataset, 'metainfo', None) or {}
        vocabulary = attribute_vocabulary(metainfo)
        model = self._model(runner)
        if vocabulary is not None and hasattr(model, 'set_attribute_vocabulary'):
            model.set_attribute_vocabulary(vocabulary)

    def _set_label_space(self, runner) -> None:
        model = self._model(runner)
        if self._label_space is not None and hasattr(model, 'set_training_label_space'):
            model.set_training_label_space(**self._label_space)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        self._set_attributes(runner, runner.train_dataloader)
        dataset = runner.train_dataloader.dataset
        metainfo = dataset.metainfo
        if metainfo.get('attributes'):
            self._label_space = dict(
                attribute_counts=attribute_label_counts(dataset, len(metainfo['attributes'])),
                attribute_trained=metainfo.get('attribute_seen'),
                category_trained=metainfo.get('seen'))
        self._set_label_space(runner)

    def before_val(self, runner) -> None:
        super().before_val(runner)
        self._set_attributes(runner, runner.val_dataloader)

    def after_val(self, runner) -> None:
        super().after_val(runner)
        self._set_attributes(runner, runner.train_dataloader)
        self._set_label_space(runner)

    def before_test(self, runner) -> None:
        super().before_test(runner)
        self._set_attributes(runner, runner.test_dataloader)
