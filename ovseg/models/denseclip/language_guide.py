"""The language side of DenseCLIP, shared by its segmentor and detectors.

:class:`LanguageGuideMixin` owns the text encoder, the learnable context tokens, the
context decoder and ``gamma``; it tokenises the vocabulary and turns the backbone's
``(global, dense)`` embeddings into per-image text embeddings and the pixel-text score
map. Parameters stay at the top level of the model (``text_encoder.*``,
``context_decoder.*``, ``contexts``, ``gamma``), as in the original checkpoints, so
optimizer rules keyed on ``backbone``/``text_encoder`` do not catch the contexts.
"""
import copy
import warnings
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor

from ..clip.score_map import pixel_text_score
from ..clip.templates import format_prompt, get_templates
from ..clip.vocabulary import Vocabulary
from .context_decoder import visual_context


def average_synonyms(text: Tensor, owner: Tensor, num_classes: int) -> Tensor:
    """One embedding per class from the embeddings of its synonyms.

    The synonym rule of DenseCLIP in ovseg (the original has one name per class): a class
    with one synonym keeps its embedding as the encoder gives it; a class with several
    gets the direction of the renormalised mean of their L2-normalised embeddings (the
    rule of ``TextClassifier``, CLIP Sec. 3.1.4) at the mean of their norms, so that its
    scale against ``gamma`` x the context decoder's update is that of a single name.

    Args:
        text (Tensor): (S, D) synonym embeddings, not normalised.
        owner (Tensor): (S,) long, the class of each synonym.
        num_classes (int): K.

    Returns:
        Tensor: (K, D), not normalised.
    """
    if text.shape[0] == num_classes:  # one synonym per class
        return text
    count = torch.bincount(owner, minlength=num_classes)  # (K,)
    norms = text.norm(dim=-1, keepdim=True)  # (S, 1)
    direction = text.new_zeros(num_classes, text.shape[1]).index_add_(0, owner, text / norms)
    scale = text.new_zeros(num_classes, 1).index_add_(0, owner, norms) / count[:, None]
    averaged = F.normalize(direction, dim=-1) * scale  # (K, D)
    single = (count == 1)[owner]  # (S,) synonyms that are their class's only one
    return averaged.index_copy(0, owner[single], text[single])


class LanguageGuideMixin:
    """Vocabulary, prompts and pixel-text matching for DenseCLIP models.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: context
    prompting (Sec. 3.3, Eq. (5)-(6)) and the pixel-text score map (Sec. 3.2, Eq. (4)).

    Call graph: ``_language_guide(global, dense)``: ``_class_text()`` (text encoder with
    ``contexts`` after ``[SOT]``; cached in eval mode) -> ``context_decoder`` ->
    ``text + gamma * update`` -> :func:`pixel_text_score`.

    A host class (an mmseg/mmdet model) calls :meth:`_init_language` in its constructor
    and :meth:`set_vocabulary` (or passes ``class_names``) before the first forward.
    Each vocabulary entry is a class name or comma-separated synonyms; every synonym is
    put into every template (``templates``: the bare name ``'{}'`` in DenseCLIP, or e.g.
    ``'synthworld'``, ``'{article} {}'``, to match a CLIP's pretraining text) and the
    embeddings of one class are averaged by :func:`average_synonyms`.
    """

    _vocabulary_hint = ''

    def _init_language(self, *, text_encoder: dict, context_decoder: dict,
                       context_length: int, text_length: int, tau: float,
                       class_names: Optional[Sequence[str]], long_names: str,
                       num_classes: int,
                       templates: Union[str, Sequence[str]] = 'name') -> None:
        if long_names not in ('warn', 'error'):
            raise ValueError(f"long_names must be 'warn' or 'error', not {long_names!r}")
        if not 0 <= context_length < text_length:
            raise ValueError(f'context_length {context_length} must be in [0, text_length='
                             f'{text_length})')
        text_encoder = dict(text_encoder)
        given = text_encoder.setdefault('context_length', text_length)
        if given < text_length:
            raise ValueError(f'text_encoder.context_length={given} is shorter than '
                             f'text_length={text_length}')
        self.text_encoder = MODELS.build(text_encoder)
        width, dim = self.text_encoder.width, self.text_encoder.embed_dim
        context_decoder = dict(context_decoder)
        if context_decoder.setdefault('visual_dim', dim) != dim:
            raise ValueError(f"context_decoder.visual_dim={context_decoder['visual_dim']} != "
                             f'the text embedding width {dim}')
        self.context_decoder = MODELS.build(context_decoder)
        self.context_length = context_length
        self.text_length = text_length
        self.name_length = text_length - context_length
        if self.name_length < 3:
            raise ValueError('text_length - context_length must leave room for [SOT] '
                             f'name [EOT]; got {self.name_length} positions')
        self.tau = tau
        self.long_names = long_names
        self.templates = get_templates(templates)
        self.num_classes = num_classes
        self.contexts = nn.Parameter(torch.empty(1, context_length, width))
        nn.init.trunc_normal_(self.contexts)  # std 1, clipped to +-2, as the original
        self.gamma = nn.Parameter(torch.full((dim,), 1e-4))
        self.register_buffer('texts', torch.zeros(0, self.name_length, dtype=torch.long),
                             persistent=False)
        self.register_buffer('text_owner', torch.zeros(0, dtype=torch.long), persistent=False)
        # the whole Vocabulary (seen flags included, for calibrated stacking)
        self.current_vocabulary: Optional[Vocabulary] = None
        self._text_cache: Optional[Tuple[tuple, Tensor]] = None
        if class_names is not None:
            self.set_vocabulary(class_names)

    def _neck_with_channels(self, neck: dict, num_classes: int) -> dict:
        """A copy of ``neck`` with ``in_channels`` filled or checked: the backbone levels plus
        K = ``num_classes`` score channels at ``self.score_concat_index`` (Sec. 3.2)."""
        levels = list(self.backbone.out_channels)
        if not 0 <= self.score_concat_index < len(levels):
            raise ValueError(f'score_concat_index={self.score_concat_index} is not one of the '
                             f'{len(levels)} backbone levels')
        neck = copy.deepcopy(neck)
        expected = list(levels)
        expected[self.score_concat_index] += num_classes
        given = neck.get('in_channels')
        if given is None:
            neck['in_channels'] = expected
        elif list(given) != expected:
            raise ValueError(
                f'neck.in_channels={list(given)} do not match the backbone levels {levels} '
                f'plus num_classes={num_classes} score channels at score_concat_index='
                f'{self.score_concat_index}: expected {expected} (or leave in_channels out).')
        return neck

    # ------------------------------------------------------------------ vocabulary
    def set_vocabulary(self, names: Union[Vocabulary, Sequence[str]]) -> None:
        """Tokenise the class names the model segments or detects from now on.

        Args:
            names (Vocabulary | Sequence[str]): K class names in label order; an entry
                may hold comma-separated synonyms. Each synonym is put into each of
                ``templates`` and a class's prompts are averaged by
                :func:`average_synonyms`.

        Raises:
            ValueError: a vocabulary that breaks :func:`check_vocabulary` (empty,
                an empty entry, duplicates: ``VocabularyError``); a name longer than
                the ``name_length - 2`` BPE tokens that fit, when
                ``long_names='error'``; or K differs from the number of classes the
                model was built for while prediction needs it (see
                :meth:`_check_vocabulary`).
        """
        vocab = Vocabulary.from_source(names if isinstance(names, Vocabulary)
                                       else [str(n) for n in names])
        self._validate_vocabulary_size(len(vocab))
        texts, owner = [], []
        for k, synonyms in enumerate(vocab.texts):
            prompts = [format_prompt(t, s) for s in synonyms for t in self.templates]
            texts += prompts
            owner += [k] * len(prompts)
        lengths = self.text_encoder.count_tokens(texts)
        too_long = [t for t, n in zip(texts, lengths) if n > self.name_length]
        if too_long:
            message = (f'{len(too_long)} class name(s) exceed the {self.name_length - 2} BPE '
                       f'tokens that fit in text_length={self.text_length} with '
                       f'context_length={self.context_length}: {too_long}')
            if self.long_names == 'error':
                raise ValueError(message + '. Shorten them or raise text_length.')
            warnings.warn(message + '; they are truncated.')
        device = self.contexts.device
        self.texts = self.text_encoder.tokenize(texts, context_length=self.name_length).to(device)
        self.text_owner = torch.tensor(owner, dtype=torch.long, device=device)
        self.current_vocabulary = vocab
        self._text_cache = None

    def _validate_vocabulary_size(self, num: int) -> None:
        """Hook: raise if a vocabulary of ``num`` names cannot be used (default: any)."""

    @property
    def vocabulary(self) -> Optional[List[str]]:
        """The current class names (None before :meth:`set_vocabulary`)."""
        return None if self.current_vocabulary is None else list(self.current_vocabulary.names)

    @property
    def num_vocabulary(self) -> int:
        """K, the current number of classes (0 before :meth:`set_vocabulary`)."""
        return 0 if self.vocabulary is None else len(self.vocabulary)

    def _check_vocabulary(self, *, need_num_classes: bool, where: str) -> None:
        """Raise a clear error when no vocabulary is set or its size is unusable."""
        if self.vocabulary is None:
            raise RuntimeError(f'{type(self).__name__}.{where}() needs a vocabulary: call '
                               'set_vocabulary(names) (the VocabularyHook does it from the '
                               "dataset's metainfo) or pass class_names.")
        if need_num_classes:
            self._require_num_classes(self.num_vocabulary, self.vocabulary)

    def _require_num_classes(self, num: int, names: Optional[Sequence[str]] = None) -> None:
        if num != self.num_classes:
            shown = '' if names is None else f' ({list(names)[:5]}...)'
            raise ValueError(
                f'{type(self).__name__} was built for num_classes={self.num_classes} (the '
                f'score-map channels of the neck and the classifier), but the vocabulary has '
                f'{num} names{shown}. Set num_classes to {num} in the config to match the '
                f'dataset.{self._vocabulary_hint}')

    # ------------------------------------------------------------------ text
    def _class_text(self) -> Tensor:
        """Text embeddings of the vocabulary with the learned contexts.

        Returns:
            Tensor: (K, D), not normalised; synonyms averaged (:func:`average_synonyms`).
            Cached in eval mode until the vocabulary, the contexts or the text encoder
            weights change.
        """
        key = (self.contexts._version, self.contexts.data_ptr(), self.texts.data_ptr(),
               self.text_encoder.token_embedding.weight._version)
        if not self.training and self._text_cache is not None and self._text_cache[0] == key:
            return self._text_cache[1]
        text = self.text_encoder(self.texts, context=self.contexts)  # (S, D), S synonyms
        text = average_synonyms(text, self.text_owner, self.num_vocabulary)  # (K, D)
        if not self.training and not torch.is_grad_enabled():
            self._text_cache = (key, text)
        return text

    def _language_guide(self, global_feat: Tensor, dense: Tensor) -> Tuple[Tensor, Tensor]:
        """Update the text embeddings from the image and score every pixel.

        Args:
            global_feat (Tensor): (B, D) global image embedding.
            dense (Tensor): (B, D, H, W) dense image embeddings.

        Returns:
            tuple[Tensor, Tensor]: text embeddings (B, K, D) after
            ``text + gamma * context_decoder(text, [global; dense])``, and the score
            map (B, K, H, W) of cosines in [-1, 1] (no temperature).
        """
        b = dense.shape[0]
        text = self._class_text()
        text = text.unsqueeze(0).expand(b, -1, -1)  # (B, K, D)
        context = visual_context(global_feat, dense)  # (B, 1+H*W, D)
        text = text + self.gamma * self.context_decoder(text, context)  # (B, K, D)
        return text, pixel_text_score(dense, text)
