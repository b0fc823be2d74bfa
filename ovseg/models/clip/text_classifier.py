"""Class embeddings from a vocabulary: templates, synonyms, learnable context, cache."""
import warnings
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import Tensor, nn

from .templates import format_prompt, get_templates
from .text_encoder import CLIPTextEncoder
from .vocabulary import SYNONYM_RULES, Vocabulary

VocabularyLike = Union[Vocabulary, str, Sequence[str]]


@MODELS.register_module()
class TextClassifier(BaseModule):
    """Turn a vocabulary into L2-normalised class embeddings (K, D).

    Zero-shot classifier of CLIP (https://arxiv.org/abs/2103.00020, Sec. 3.1.4,
    prompt ensembling): each class embedding is the renormalised mean of the
    normalised embeddings of every template x synonym prompt. With
    ``num_context_tokens`` > 0 templates are replaced by CoOp's learnable
    context (https://arxiv.org/abs/2109.01134, Sec. 3.2): ``[SOT][ctx][name][EOT]``.

    Encode once, query many: ``set_vocabulary(names)`` tokenizes; ``forward()``
    encodes, and caches the result keyed by (weights, templates, prompt texts) unless
    something is being trained (training mode with a trainable encoder or
    context). The cache follows in-place weight updates (optimizer steps,
    ``load_state_dict``); call :meth:`clear_cache` after writing ``param.data``.
    :meth:`encode` embeds any other :class:`Vocabulary` the same way without changing
    the current one (region mining, proposal prompts).

    ``forward() = encode(vocabulary): [cache] -> text_encoder(tokens chunk, context) ->
    mean per class``

    Args:
        text_encoder (dict | CLIPTextEncoder): the encoder or its config.
        templates (str | Sequence[str]): template set name, template or list
            (:func:`get_templates`); unused with learnable context.
            Defaults to ``'vild'``.
        vocabulary (Vocabulary | Sequence[str], optional): initial class names
            (comma-separated synonyms allowed); needed at build time for class-specific
            context. Defaults to None.
        synonyms (str, optional): how an entry becomes prompt texts, for every
            vocabulary given (:class:`Vocabulary`): ``'split'`` (one prompt per synonym,
            averaged) or ``'whole'`` (the entry as one string, as OVSeg's released
            models were trained). None keeps a given :class:`Vocabulary`'s rule and
            splits plain names. Defaults to None.
        num_context_tokens (int): learnable context vectors N. Defaults to 0.
        class_specific_context (bool): one context per class (K, N, W) instead
            of a shared (1, N, W). Defaults to False.
        strict_length (bool): raise instead of warn when a prompt is longer than
            the context length (it would be truncated). Defaults to False.
        chunk_size (int): prompts encoded per text-encoder call. Defaults to 256.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> classifier = TextClassifier(
        ...     text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'),
        ...     templates='single')
        >>> classifier.set_vocabulary(['cat', 'dog, puppy', 'traffic light'])
        >>> classifier().shape
        torch.Size([3, 32])
    """

    _CACHE_SIZE = 4

    def __init__(self, *, text_encoder: Union[dict, CLIPTextEncoder],
                 templates: Union[str, Sequence[str]] = 'vild',
                 vocabulary: Optional[VocabularyLike] = None,
                 synonyms: Optional[str] = None,
                 num_context_tokens: int = 0, class_specific_context: bool = False,
                 strict_length: bool = False, chunk_size: int = 256,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(text_encoder, dict):
            text_encoder = MODELS.build(text_encoder)
        self.text_encoder = text_encoder
        self.templates = get_templates(templates)
        self.strict_length = strict_length
        self.chunk_size = chunk_size
        if synonyms is not None and synonyms not in SYNONYM_RULES:
            raise ValueError(f'synonyms must be None or one of {SYNONYM_RULES}, not {synonyms!r}')
        self.synonyms = synonyms
        self._vocab: Optional[Vocabulary] = (None if vocabulary is None
                                             else self.as_vocabulary(vocabulary))
        self.context: Optional[nn.Parameter] = None
        if num_context_tokens > 0:
            if class_specific_context and self._vocab is None:
                raise ValueError('class_specific_context=True needs the vocabulary at build time.')
            num_contexts = len(self._vocab) if class_specific_context else 1
            self.context = nn.Parameter(torch.empty(
                num_contexts, num_context_tokens, self.text_encoder.width))
            nn.init.normal_(self.context, std=0.02)
        self.register_buffer('_tokens', None, persistent=False)
        self.register_buffer('_class_index', None, persistent=False)
        self._cache: 'OrderedDict[tuple, Tensor]' = OrderedDict()
        self._cache_fingerprint: Optional[tuple] = None

    @property
    def vocabulary(self) -> Optional[List[str]]:
        """The current class names (None before :meth:`set_vocabulary`)."""
        return None if self._vocab is None else list(self._vocab.names)

    @property
    def current_vocabulary(self) -> Optional[Vocabulary]:
        """The current :class:`Vocabulary` (with its parents and seen flags), or None."""
        return self._vocab

    @property
    def logit_scale(self) -> Tensor:
        """CLIP's learnt log temperature (scalar); logits = ``exp()`` x cosine."""
        return self.text_encoder.logit_scale

    def as_vocabulary(self, names: VocabularyLike) -> Vocabulary:
        """``names`` as a :class:`Vocabulary` under this classifier's synonym rule."""
        return Vocabulary.from_source(names, synonyms=self.synonyms)

    def set_vocabulary(self, names: VocabularyLike) -> None:
        """Set the classes to embed, K of them.

        Args:
            names (Vocabulary | str | Sequence[str]): class names, each possibly with
                comma-separated synonyms, or a source for :func:`load_vocabulary`.

        Raises:
            ValueError: a vocabulary that breaks :func:`check_vocabulary`
                (``VocabularyError``: empty, empty entry, duplicates), a K that does not
                match class-specific contexts, or (``strict_length``) names too
                long for the context length.
        """
        vocab = self.as_vocabulary(names)
        self._check_context_size(vocab)
        if vocab != self._vocab or self._tokens is None:
            self._tokens, self._class_index = self._tokenize(vocab)
            self._vocab = vocab

    def encode(self, vocabulary: VocabularyLike) -> Tensor:
        """Class embeddings of any vocabulary; the current one (:meth:`set_vocabulary`) is kept.

        Args:
            vocabulary (Vocabulary | str | Sequence[str]): K classes.

        Returns:
            Tensor: (K, D), L2-normalised over D, row k for class k. Differentiable in
            training mode with something trainable; otherwise cached (the same cache as
            :meth:`forward`).
        """
        vocab = self.as_vocabulary(vocabulary)
        self._check_context_size(vocab)
        if vocab == self._vocab:
            if self._tokens is None:
                self._tokens, self._class_index = self._tokenize(vocab)
            return self._embed(vocab, self._tokens, self._class_index)
        return self._embed(vocab, *self._tokenize(vocab))

    def clear_cache(self) -> None:
        """Forget cached class embeddings."""
        self._cache.clear()
        self._cache_fingerprint = None

    def _check_context_size(self, vocab: Vocabulary) -> None:
        if self.context is not None and self.context.shape[0] not in (1, len(vocab)):
            raise ValueError(f'class-specific context was built for {self.context.shape[0]} '
                             f'classes; the new vocabulary has {len(vocab)}.')

    def _tokenize(self, vocab: Vocabulary) -> Tuple[Tensor, Tensor]:
        """The prompts' tokens (T, L) and their class index (T,)."""
        prompts: List[str] = []
        class_index: List[int] = []
        templates = ('{}',) if self.context is not None else self.templates
        for k, texts in enumerate(vocab.texts):
            for text in texts:
                prompts += [format_prompt(template, text) for template in templates]
                class_index += [k] * len(templates)
        encoder = self.text_encoder
        max_length = encoder.context_length - (0 if self.context is None else self.context.shape[1])
        lengths = encoder.count_tokens(prompts)
        too_long = sorted({vocab.names[k] for k, n in zip(class_index, lengths) if n > max_length})
        if too_long:
            message = (f'Prompts for {too_long} exceed {max_length} tokens and would be '
                       f'truncated (context length {encoder.context_length}).')
            if self.strict_length:
                raise ValueError(message)
            warnings.warn(message)
        # Causal attention: padding after [EOT] cannot change its feature, so pad to the longest.
        length = max_length if encoder.attn_mask is None else min(max_length, max(lengths))
        device = encoder.token_embedding.weight.device
        return (encoder.tokenize(prompts, context_length=length).to(device),
                torch.tensor(class_index, device=device))

    def _fingerprint(self) -> Tuple[Tuple[int, int], ...]:
        """Changes whenever a parameter is replaced, moved or updated in place."""
        return tuple((p.data_ptr(), p._version) for p in self.parameters())

    def _encode_prompts(self, tokens: Tensor, class_index: Tensor) -> Tensor:
        """(T, D) embeddings of the prompts' tokens (T, L), L2-normalised over D, in chunks."""
        embeddings = []
        for start in range(0, tokens.shape[0], self.chunk_size):
            index = class_index[start:start + self.chunk_size]
            context = None
            if self.context is not None:
                context = self.context if self.context.shape[0] == 1 else self.context[index]
            chunk = tokens[start:start + self.chunk_size]
            embeddings.append(F.normalize(self.text_encoder(chunk, context), dim=-1))  # (T', D)
        return torch.cat(embeddings)  # (T, D)

    def _encode(self, tokens: Tensor, class_index: Tensor, num_classes: int) -> Tensor:
        embeddings = self._encode_prompts(tokens, class_index)  # (T, D)
        sums = embeddings.new_zeros(num_classes, embeddings.shape[1])
        return F.normalize(sums.index_add_(0, class_index, embeddings), dim=-1)  # (K, D)

    def _cache_key(self, vocab: Vocabulary) -> tuple:
        """What the embeddings of ``vocab`` depend on besides the weights."""
        return (self.templates, vocab.texts)

    def encode_prompts(self, vocabulary: VocabularyLike) -> Tuple[Tensor, Tensor]:
        """Embeddings of every prompt of a vocabulary, before the per-class mean.

        For heads that pool the scores of a class's prompts themselves (mean in training,
        max at test, as OvarNet does with synonyms). Cached like :meth:`encode`.

        Args:
            vocabulary (Vocabulary | str | Sequence[str]): K classes.

        Returns:
            tuple[Tensor, Tensor]: (T, D) prompt embeddings, L2-normalised over D, and
            (T,) int64 the class of each prompt (every class has at least one).
        """
        vocab = self.as_vocabulary(vocabulary)
        self._check_context_size(vocab)
        if vocab == self._vocab and self._tokens is not None:
            tokens, class_index = self._tokens, self._class_index
        else:
            tokens, class_index = self._tokenize(vocab)
        return self._embed(vocab, tokens, class_index, per_prompt=True), class_index

    def _embed(self, vocab: Vocabulary, tokens: Tensor, class_index: Tensor, *,
               per_prompt: bool = False) -> Tensor:
        """(K, D) (or (T, D) per prompt) from the tokens of ``vocab``: directly when
        training, else via the cache."""
        def encode() -> Tensor:
            if per_prompt:
                return self._encode_prompts(tokens, class_index)
            return self._encode(tokens, class_index, len(vocab))

        if self.training and any(p.requires_grad for p in self.parameters()):
            return encode()
        fingerprint = self._fingerprint()
        if fingerprint != self._cache_fingerprint:
            self.clear_cache()
            self._cache_fingerprint = fingerprint
        key = (self._cache_key(vocab), per_prompt)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        with torch.no_grad():
            embeddings = encode()
        self._cache[key] = embeddings
        if len(self._cache) > self._CACHE_SIZE:
            self._cache.popitem(last=False)
        return embeddings

    def forward(self) -> Tensor:
        """Class embeddings of the current vocabulary: ``encode(vocabulary)``.

        Returns:
            Tensor: (K, D), L2-normalised over D, row k for ``vocabulary[k]``.
            Differentiable w.r.t. the context (and unfrozen encoder weights) in
            training mode; otherwise served from the cache.
        """
        if self._vocab is None:
            raise RuntimeError('Call set_vocabulary(names) (or pass vocabulary=) before forward().')
        return self.encode(self._vocab)
