"""OvarNet's attribute prompts on the shared text classifier: learnable vectors around the
name and its parent type."""
from typing import List, Optional, Sequence, Tuple, Union

import open_clip
import torch
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor

from ..clip.templates import format_prompt, get_attribute_templates
from ..clip.text_classifier import TextClassifier, VocabularyLike
from ..clip.text_encoder import CLIPTextEncoder, get_clip_tokenizer
from ..clip.vocabulary import Vocabulary, VocabularyError

# Token id of a learnable-vector slot in the token layout (never a BPE id).
CONTEXT_SLOT = -1


@MODELS.register_module()
class AttributePromptClassifier(TextClassifier):
    """Prompt-learned text embeddings of attributes and categories with their parent types.

    OvarNet / CLIP-Attr (https://arxiv.org/abs/2301.09506, prompt learning; the layout of
    the released ``PromptAttributes``; paper section not checked here): every synonym of a
    class becomes the sequence ::

        [SOT] P1..Pn <name tokens> Pn+1..P2n <parent-type tokens> P2n+1..P3n [EOT]

    with ``3n = num_context_tokens`` learnable word vectors (30, init N(0, 0.02)) shared by
    every class, attributes and categories alike (one classifier embeds both vocabularies).
    The feature is read at ``[EOT]`` (tracked explicitly: the vectors shift it) and
    projected by the text tower. Vocabularies must carry parent types
    (:meth:`Vocabulary.with_parents`): ``'red'`` with ``'color'``, a category with its
    super-category.

    The 3n vectors are :attr:`TextClassifier.context` ((1, 3n, W)), laid out between
    the words instead of after ``[SOT]``; tokenising, chunking and the cache are the base
    class's. Use :meth:`encode_prompts` to get one embedding per synonym (the head pools
    their logits); :meth:`encode` averages them like the base class.

    ``encode_prompts() = _tokenize(name, parent) -> token_embedding, slots <- context ->
    text_encoder.encode_embeddings(x, eot_index)``

    Args:
        text_encoder (dict | CLIPTextEncoder): the text tower (CLIP BPE tokenizer).
        num_context_tokens (int): learnable vectors, split in three equal parts; 0 gives
            the plain prompt ``[SOT] <name> <parent> [EOT]`` (a zero-shot baseline).
            Defaults to 30.
        templates (str | Sequence[str], optional): hand-written prompts instead of the
            layout above, for zero-shot CLIP (needs ``num_context_tokens=0``): a set of
            :func:`~ovseg.models.clip.templates.list_attribute_template_sets` or templates
            with ``{}`` (the name) and optionally ``{article}`` and ``{parent}``. The
            embeddings of one synonym's templates are averaged (CLIP's prompt ensemble),
            so :meth:`encode_prompts` still gives one embedding per synonym.
            Defaults to None.
        vocabulary (Vocabulary, optional): initial classes, with parents. Defaults to None.
        synonyms (str, optional): synonym rule (:class:`TextClassifier`). Defaults to None.
        chunk_size (int): prompts per text-encoder call. Defaults to 256.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> from ovseg.models.clip import Vocabulary
        >>> classifier = AttributePromptClassifier(
        ...     text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'))
        >>> vocab = Vocabulary(['red, scarlet', 'striped'], parents=['color', 'pattern'])
        >>> embeddings, class_index = classifier.encode_prompts(vocab)
        >>> tuple(embeddings.shape), class_index.tolist()
        ((3, 32), [0, 0, 1])
    """

    def __init__(self, *, text_encoder: Union[dict, CLIPTextEncoder],
                 num_context_tokens: int = 30, vocabulary: Optional[VocabularyLike] = None,
                 synonyms: Optional[str] = None, chunk_size: int = 256,
                 templates: Union[None, str, Sequence[str]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if num_context_tokens < 0 or num_context_tokens % 3:
            raise ValueError(f'num_context_tokens must be a multiple of 3 (three equal '
                             f'parts), not {num_context_tokens}')
        if templates is not None and num_context_tokens:
            raise ValueError('templates replace the learnable vectors: give '
                             f'num_context_tokens=0, not {num_context_tokens}')
        self.prompt_templates: Optional[Tuple[str, ...]] = (
            None if templates is None else get_attribute_templates(templates))
        super().__init__(text_encoder=text_encoder, templates='single', vocabulary=vocabulary,
                         synonyms=synonyms, num_context_tokens=num_context_tokens,
                         strict_length=True, chunk_size=chunk_size, init_cfg=init_cfg)
        tokenizer = get_clip_tokenizer(self.text_encoder.model_name)
        if not isinstance(tokenizer, open_clip.SimpleTokenizer):
            raise NotImplementedError(f'attribute prompts need the CLIP BPE tokenizer, '
                                      f"'{self.text_encoder.model_name}' uses "
                                      f'{type(tokenizer).__name__}')
        self._tokenizer = tokenizer

    def _cache_key(self, vocab: Vocabulary) -> tuple:
        return (self.prompt_templates, vocab.texts, vocab.parents)

    def _layouts(self, name: str, parent: str) -> List[List[int]]:
        """The token layouts of one synonym: its prompt, or one per hand-written template."""
        if self.prompt_templates is None:
            return [self.prompt_layout(name, parent)]
        tok = self._tokenizer
        return [[tok.sot_token_id] + tok.encode(format_prompt(t, name, parent=parent))
                + [tok.eot_token_id] for t in self.prompt_templates]

    def encode_prompts(self, vocabulary: VocabularyLike) -> Tuple[Tensor, Tensor]:
        """(T, D) embeddings, one per synonym, L2-normalised over D, and their class (T,).

        With ``templates``, a synonym's embedding is the renormalised mean of its M
        templates' embeddings (the base class encodes the T·M template prompts).
        """
        embeddings, class_index = super().encode_prompts(vocabulary)  # (T·M, D), (T·M,)
        if self.prompt_templates is None or len(self.prompt_templates) == 1:
            return embeddings, class_index
        m = len(self.prompt_templates)
        mean = embeddings.reshape(-1, m, embeddings.shape[-1]).mean(dim=1)  # (T, D)
        return F.normalize(mean, dim=-1), class_index[::m]

    def prompt_layout(self, name: str, parent: str) -> List[int]:
        """Token ids of one prompt, ``CONTEXT_SLOT`` (-1) where a learnable vector goes.

        Examples:
            >>> from ovseg.models.clip import CLIPTextEncoder
            >>> classifier = AttributePromptClassifier(
            ...     text_encoder=CLIPTextEncoder(model_name='ovseg-tiny-vit'),
            ...     num_context_tokens=3)
            >>> classifier.prompt_layout('red', 'color')
            [49406, -1, 736, -1, 3140, -1, 49407]
        """
        n = 0 if self.context is None else self.context.shape[1] // 3
        tok = self._tokenizer
        return ([tok.sot_token_id] + [CONTEXT_SLOT] * n + tok.encode(name)
                + [CONTEXT_SLOT] * n + tok.encode(parent) + [CONTEXT_SLOT] * n
                + [tok.eot_token_id])

    def _tokenize(self, vocab: Vocabulary) -> Tuple[Tensor, Tensor]:
        """The prompts' token layouts (T, L), -1 at the vector slots, and their class (T,)."""
        if vocab.parents is None:
            raise VocabularyError('attribute prompts need a parent type per vocabulary entry '
                                  '(Vocabulary(..., parents=[...]))')
        layouts: List[List[int]] = []
        class_index: List[int] = []
        limit = self.text_encoder.context_length
        for k, (texts, parent) in enumerate(zip(vocab.texts, vocab.parents)):
            for text in texts:
                for layout in self._layouts(text, parent):  # a synonym's rows are adjacent
                    if len(layout) > limit:
                        raise ValueError(f'the prompt of {vocab.names[k]!r} ({parent!r}) has '
                                         f'{len(layout)} tokens, over the context length '
                                         f'{limit}')
                    layouts.append(layout)
                    class_index.append(k)
        # Causal attention: padding after [EOT] cannot change its feature, so pad to the longest.
        length = (limit if self.text_encoder.attn_mask is None
                  else max(len(layout) for layout in layouts))
        tokens = torch.zeros(len(layouts), length, dtype=torch.long)
        for t, layout in enumerate(layouts):
            tokens[t, :len(layout)] = torch.tensor(layout)
        device = self.text_encoder.token_embedding.weight.device
        return tokens.to(device), torch.tensor(class_index, device=device)

    def _encode_prompts(self, tokens: Tensor, class_index: Tensor) -> Tensor:
        """(T, L) layouts -> (T, D) embeddings, L2-normalised over D, in chunks."""
        encoder = self.text_encoder
        embeddings = []
        for start in range(0, tokens.shape[0], self.chunk_size):
            chunk = tokens[start:start + self.chunk_size]  # (T', L)
            slots = (chunk == CONTEXT_SLOT)[..., None]  # (T', L, 1)
            x = encoder.token_embedding(chunk.clamp(min=0))  # (T', L, W)
            if self.context is not None:
                context = self.context.to(x.dtype).expand(chunk.shape[0], -1, -1)  # (T', 3n, W)
                # row-major fill: row t's slots take context vectors 1..3n in order
                x = x.masked_scatter(slots.expand_as(x), context.reshape(-1))
            eot_index = (chunk == self._tokenizer.eot_token_id).int().argmax(dim=-1)  # (T',)
            embeddings.append(F.normalize(encoder.encode_embeddings(x, eot_index), dim=-1))
        return torch.cat(embeddings)  # (T, D)


def pool_prompt_logits(logits: Tensor, class_index: Tensor, num_classes: int, *,
                       mode: str) -> Tensor:
    """Per-class logits from per-prompt logits: OvarNet's synonym pooling.

    OvarNet (https://arxiv.org/abs/2301.09506, released code): the logits of a class's synonym
    prompts are averaged in training and max-pooled at test.

    Args:
        logits (Tensor): (B, T) logits of every prompt.
        class_index (Tensor): (T,) int64 class of each prompt; each of the K classes appears.
        num_classes (int): K.
        mode (str): ``'mean'`` or ``'max'``.

    Returns:
        Tensor: (B, K) logits.

    Examples:
        >>> logits = torch.tensor([[1., 3., 5.]])
        >>> pool_prompt_logits(logits, torch.tensor([0, 0, 1]), 2, mode='mean').tolist()
        [[2.0, 5.0]]
        >>> pool_prompt_logits(logits, torch.tensor([0, 0, 1]), 2, mode='max').tolist()
        [[3.0, 5.0]]
    """
    if mode not in ('mean', 'max'):
        raise ValueError(f"mode must be 'mean' or 'max', not {mode!r}")
    index = class_index[None].expand_as(logits)  # (B, T)
    out = logits.new_zeros(logits.shape[0], num_classes)  # (B, K)
    return out.scatter_reduce(1, index, logits, reduce='mean' if mode == 'mean' else 'amax',
                              include_self=False)
