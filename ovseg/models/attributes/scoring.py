"""Vocabularies, training label space and text scoring shared by the attribute models
(CLIP-Attr and OvarNet): one place for what both do with an image embedding."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.structures import BaseDataElement
from torch import Tensor

from ..clip import Vocabulary
from .loss import frequency_weights
from .prompt_classifier import pool_prompt_logits

LABEL_SPACES = ('attribute', 'category')


class AttributeScoringMixin:
    """Attribute (A) and category (K) vocabularies and ``exp(s)·cos`` scores against them.

    OvarNet (https://arxiv.org/abs/2301.09506, Sec. 3.2 and 3.3; the released ``PromptHead``):
    region embeddings are scored against the prompt-learned text embeddings of every
    attribute and category (:class:`AttributePromptClassifier`), ``logit = exp(s) ·
    cos(region, text)``; synonym prompts are pooled per class (mean in training, max at
    test). The training label space (:meth:`set_training_label_space`) sets the class
    weights of the federated loss.

    The model provides ``classifier`` (:class:`AttributePromptClassifier`), ``logit_scale``
    (a parameter, log of the scale), ``category_type`` and ``weight_power``, and calls
    :meth:`_init_vocabularies` in its ``__init__``.
    """

    def _init_vocabularies(self) -> None:
        self._attributes: Optional[Vocabulary] = None
        self._categories: Optional[Vocabulary] = None
        self.register_buffer('attribute_weights', None, persistent=False)
        self.register_buffer('category_weights', None, persistent=False)

    def set_vocabulary(self, names: Union[Vocabulary, str, Sequence[str]]) -> None:
        """Categories (K) to score; ``category_type`` is their parent unless they have one."""
        vocab = Vocabulary.from_source(names)
        if vocab.parents is None:
            vocab = vocab.with_parents(self.category_type)
        if vocab != self._categories:
            self._categories = vocab
            self.category_weights = None

    def set_attribute_vocabulary(self, attributes: Vocabulary) -> None:
        """Attributes (A) to score, each with its parent type (``Vocabulary.parents``)."""
        vocab = Vocabulary.from_source(attributes)
        if vocab.parents is None:
            raise ValueError('the attribute vocabulary needs a parent type per attribute')
        if vocab != self._attributes:
            self._attributes = vocab
            self.attribute_weights = None

    def set_training_label_space(self, *, attribute_counts: Optional[Sequence[int]] = None,
                                 attribute_trained: Optional[Sequence[bool]] = None,
                                 category_trained: Optional[Sequence[bool]] = None) -> None:
        """Which classes the loss trains, and the attribute class weights.

        Args:
            attribute_counts (Sequence[int], optional): (A,) labelled (pos + neg) examples
                of each attribute in the training data; weights ∝ count ** -power
                (:func:`frequency_weights`). Defaults to None (weight 1).
            attribute_trained (Sequence[bool], optional): (A,) False for attributes never
                trained on (unseen): weight 0, no unknown term either. Defaults to None.
            category_trained (Sequence[bool], optional): (K,) likewise for categories
                (unseen categories are no negatives in training). Defaults to None.
        """
        if self._attributes is None or self._categories is None:
            raise RuntimeError('set both vocabularies before the training label space')
        device = self.logit_scale.device
        weights = torch.ones(len(self._attributes), device=device)
        if attribute_counts is not None:
            weights = frequency_weights(torch.as_tensor(attribute_counts, device=device),
                                        self.weight_power)
        if attribute_trained is not None:
            weights = weights * torch.as_tensor(attribute_trained, device=device).float()
        self.attribute_weights = self._checked(weights, len(self._attributes), 'attribute')
        categories = torch.ones(len(self._categories), device=device)
        if category_trained is not None:
            categories = torch.as_tensor(category_trained, device=device).float()
        self.category_weights = self._checked(categories, len(self._categories), 'category')

    @staticmethod
    def _checked(values: Tensor, size: int, what: str) -> Tensor:
        if values.shape != (size,):
            raise ValueError(f'{what} label space: {tuple(values.shape)} values for {size} '
                             'classes')
        return values

    def _text_logits(self, embeds: Tensor, mode: str) -> Tuple[Tensor, Tensor]:
        """(N, D) region embeddings, L2-normalised over D -> attribute (N, A) and category
        (N, K) logits, synonyms pooled by ``mode`` (``'mean'`` or ``'max'``)."""
        if self._attributes is None or self._categories is None:
            raise RuntimeError('Call set_attribute_vocabulary() and set_vocabulary() first.')
        scale = self.logit_scale.exp()
        out = []
        for vocab in (self._attributes, self._categories):
            text, class_index = self.classifier.encode_prompts(vocab)  # (T, D), (T,)
            logits = scale * embeds @ text.t()  # (N, T)
            out.append(pool_prompt_logits(logits, class_index, len(vocab), mode=mode))
        return out[0], out[1]

    @staticmethod
    def _sample_mask(data_samples: List[BaseDataElement], space: str) -> Tensor:
        """(B,) bool: the samples whose dataset annotates label space ``space``."""
        return torch.tensor([space in s.metainfo.get('label_spaces', LABEL_SPACES)
                             for s in data_samples], dtype=torch.bool)
