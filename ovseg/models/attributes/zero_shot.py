"""The zero-shot CLIP baseline of CLIP-Attr: the same crops and scoring, hand-written prompts."""
from typing import Sequence, Union

from mmengine.registry import MODELS

from .clip_attr import CLIPAttr
from .prompt_classifier import AttributePromptClassifier


@MODELS.register_module()
class ZeroShotCLIPAttr(CLIPAttr):
    """CLIP scoring box crops against hand-written attribute and category prompts.

    The zero-shot CLIP row of OvarNet's tables (https://arxiv.org/abs/2301.09506, Table 1's
    CLIP baselines): :class:`CLIPAttr` without learned vectors, its prompt classifier
    replaced by one with ``templates`` (:class:`AttributePromptClassifier`: the embeddings
    of a synonym's templates averaged, CLIP's prompt ensemble; synonyms max-pooled at test).
    Crops, ``exp(s)·cos`` scores and sigmoid outputs are CLIP-Attr's, so its metric and the
    inferencer read both alike. Its weights are CLIP's (``pretrained``); nothing is trained.

    Args:
        templates (str | Sequence[str]): a set of
            :func:`~ovseg.models.clip.templates.list_attribute_template_sets` or templates
            with ``{}``, ``{article}`` and ``{parent}``. Defaults to ``'attribute'``.
        num_context_tokens (int): must be 0 (templates replace the vectors). Defaults to 0.
        **kwargs: the other arguments of :class:`CLIPAttr`.

    Examples:
        >>> import torch
        >>> from ovseg.models.clip import Vocabulary
        >>> model = ZeroShotCLIPAttr(model_name='ovseg-tiny-rn', templates='{} {parent}')
        >>> model.set_attribute_vocabulary(Vocabulary(['red'], parents=['color']))
        >>> model.set_vocabulary(['circle', 'square'])
        >>> [tuple(x.shape) for x in model(torch.rand(2, 3, 32, 32))]
        [(2, 1), (2, 2)]
    """

    def __init__(self, *, templates: Union[str, Sequence[str]] = 'attribute',
                 num_context_tokens: int = 0, **kwargs) -> None:
        if num_context_tokens:
            raise ValueError('ZeroShotCLIPAttr learns no prompt vectors: num_context_tokens '
                             f'must be 0, not {num_context_tokens}')
        super().__init__(num_context_tokens=0, **kwargs)
        self.classifier = AttributePromptClassifier(text_encoder=self.classifier.text_encoder,
                                                    num_context_tokens=0, templates=templates)
