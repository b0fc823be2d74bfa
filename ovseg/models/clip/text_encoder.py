"""CLIP text tower that can take learnable context tokens."""
import functools
import math
from typing import List, Optional, Sequence, Union

import open_clip
import torch
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from open_clip.transformer import TextTransformer, text_global_pool
from torch import Tensor, nn

from .loading import build_clip_tower, clip_model_config, load_clip_tower


@functools.lru_cache(maxsize=None)
def get_clip_tokenizer(model_name: str):
    """open_clip's tokenizer for ``model_name`` (the bundled BPE for CLIP), cached."""
    return open_clip.get_tokenizer(model_name)


@MODELS.register_module(name='OVCLIPTextEncoder')
class CLIPTextEncoder(BaseModule):
    """open_clip text tower; optional learnable context after the start token.

    CoOp (https://arxiv.org/abs/2109.01134, Sec. 3.2, "unified/class-specific
    context") and DenseCLIP (https://arxiv.org/abs/2112.01518, Sec. 3.3): N
    context vectors are inserted between ``[SOT]`` and the name tokens, so the
    end-of-text feature moves N positions right. Registered in the root
    ``MODELS`` as ``'OVCLIPTextEncoder'`` (mmseg already has a ``CLIPTextEncoder``).

    Parameter names equal open_clip ``CLIP``'s text keys (``token_embedding``,
    ``positional_embedding``, ``transformer.*``, ``ln_final``, ``text_projection``,
    ``logit_scale``), so CLIP checkpoints load without renaming.

    Args:
        model_name (str): open_clip architecture with a TextTransformer tower.
        pretrained (str, optional): open_clip tag or local file, loaded by
            :meth:`init_weights`. Defaults to None (random weights).
        context_length (int, optional): total token positions, context
            included; the positional embedding and causal mask are truncated to
            it (DenseCLIP uses 13). Defaults to None (the architecture's, 77).
        freeze (bool): set ``requires_grad=False`` on every weight; gradients
            still reach contexts passed to :meth:`forward`. Defaults to True.
        cache_dir (str, optional): download cache for tags. Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> encoder = CLIPTextEncoder(model_name='ovseg-tiny-vit')
        >>> tokens = encoder.tokenize(['a cat', 'a dog'], context_length=8)
        >>> encoder(tokens).shape
        torch.Size([2, 32])
        >>> encoder(tokens, context=torch.zeros(1, 4, encoder.width)).shape
        torch.Size([2, 32])
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 context_length: Optional[int] = None, freeze: bool = True,
                 cache_dir: Optional[str] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        text = build_clip_tower(model_name, 'text', context_length=context_length)
        if not isinstance(text, TextTransformer) or text.cls_emb is not None:
            raise ValueError(f"'{model_name}' has no plain open_clip TextTransformer "
                             f'text tower (got {type(text).__name__}).')
        cfg = clip_model_config(model_name)
        self.model_name = model_name
        self.pretrained = pretrained
        self.cache_dir = cache_dir
        self.freeze = freeze
        self.context_length = text.context_length
        self.width = text.width
        self.embed_dim = text.output_dim
        self.pool_type = text.pool_type
        self.eos_id = text.eos_id
        self.token_embedding = text.token_embedding
        self.positional_embedding = text.positional_embedding
        self.transformer = text.transformer
        self.ln_final = text.ln_final
        self.text_projection = text.text_projection
        self.register_buffer('attn_mask', text.attn_mask, persistent=False)
        self.logit_scale = nn.Parameter(
            torch.tensor(float(cfg.get('init_logit_scale', math.log(1 / 0.07)))))
        if freeze:
            self.requires_grad_(False)

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load ``pretrained`` (text keys only)."""
        super().init_weights()
        if self.pretrained is not None:
            load_clip_tower(self, self.model_name, self.pretrained, 'text',
                            cache_dir=self.cache_dir)

    def tokenize(self, texts: Union[str, Sequence[str]],
                 context_length: Optional[int] = None) -> Tensor:
        """Tokens (K, L) of ``texts`` with ``L = context_length`` (default: all positions)."""
        tokenizer = get_clip_tokenizer(self.model_name)
        return tokenizer(texts, context_length=context_length or self.context_length)

    def count_tokens(self, texts: Sequence[str]) -> List[int]:
        """Token count of each text with ``[SOT]`` and ``[EOT]``, before truncation."""
        tokenizer = get_clip_tokenizer(self.model_name)
        if not isinstance(tokenizer, open_clip.SimpleTokenizer):
            raise NotImplementedError(f'token counting needs the CLIP BPE tokenizer, '
                                      f"'{self.model_name}' uses {type(tokenizer).__name__}")
        return [len(tokenizer.encode(text)) + 2 for text in texts]

    def _eot_index(self, tokens: Tensor) -> Tensor:
        if self.pool_type == 'argmax':
            return tokens.argmax(dim=-1)
        if self.pool_type == 'eos':
            return (tokens == self.eos_id).int().argmax(dim=-1)
        raise ValueError(f'context tokens need argmax/eos pooling, not {self.pool_type!r}')

    def forward(self, tokens: Tensor, context: Optional[Tensor] = None) -> Tensor:
        """Encode token sequences, optionally with context vectors after ``[SOT]``.

        Args:
            tokens (Tensor): (K, L) token ids, ``[SOT] ... [EOT] 0...``.
            context (Tensor, optional): (1 or K, N, W) context embeddings shared
                or per sequence, or (B, 1 or K, N, W) per image; L + N must not
                exceed ``context_length``. Defaults to None.

        Returns:
            Tensor: (K, D) text embeddings, or (B, K, D) for a 4-D context; not
            normalised. Without context and with L = ``context_length`` this is
            exactly ``CLIP.encode_text(tokens)``.
        """
        num_texts = tokens.shape[0]
        cast_dtype = self.transformer.get_cast_dtype()
        x = self.token_embedding(tokens).to(cast_dtype)  # (K, L, W)
        batch = None
        if context is not None:
            if context.dim() == 4:
                batch = context.shape[0]
                x = x.unsqueeze(0).expand(batch, -1, -1, -1).flatten(0, 1)  # (B*K, L, W)
                tokens = tokens.repeat(batch, 1)  # (B*K, L)
                context = context.expand(-1, num_texts, -1, -1).flatten(0, 1)  # (B*K, N, W)
            context = context.to(cast_dtype).expand(x.shape[0], -1, -1)
            x = torch.cat([x[:, :1], context, x[:, 1:]], dim=1)  # (K, 1+N+L-1, W)
        x = self._transform(x)  # (K, L', W)
        if context is None:
            pooled = text_global_pool(x, tokens, self.pool_type, eos_token_id=self.eos_id)
        else:
            index = self._eot_index(tokens) + context.shape[1]
            pooled = x[torch.arange(x.shape[0], device=x.device), index]  # (K, W)
        pooled = self._project(pooled)  # (K, D)
        return pooled if batch is None else pooled.reshape(batch, num_texts, -1)  # (B, K, D)

    def encode_embeddings(self, x: Tensor, eot_index: Tensor) -> Tensor:
        """Encode token embeddings laid out by the caller (context vectors anywhere).

        For prompts whose learnable vectors sit between words (OvarNet's attribute
        prompts, https://arxiv.org/abs/2301.09506), where :meth:`forward`'s
        "context after ``[SOT]``" does not fit.

        Args:
            x (Tensor): (K, L, W) input embeddings (token and context vectors, before the
                positional embedding); L must not exceed ``context_length``.
            eot_index (Tensor): (K,) position of each sequence's ``[EOT]`` in L.

        Returns:
            Tensor: (K, D) text embeddings read at ``eot_index``, not normalised.
        """
        x = self._transform(x.to(self.transformer.get_cast_dtype()))  # (K, L, W)
        return self._project(x[torch.arange(x.shape[0], device=x.device), eot_index])  # (K, D)

    def _transform(self, x: Tensor) -> Tensor:
        """(K, L, W) input embeddings -> (K, L, W) after positions, transformer, ``ln_final``."""
        length = x.shape[1]
        if length > self.context_length:
            raise ValueError(f'{length} tokens (context included) exceed the context '
                             f'length {self.context_length}')
        x = x + self.positional_embedding[:length].to(x.dtype)
        mask = None if self.attn_mask is None else self.attn_mask[:length, :length]
        return self.ln_final(self.transformer(x, attn_mask=mask))

    def _project(self, pooled: Tensor) -> Tensor:
        """(K, W) pooled features -> (K, D) through ``text_projection``."""
        if isinstance(self.text_projection, nn.Linear):
            return self.text_projection(pooled)
        if self.text_projection is not None:
            return pooled @ self.text_projection  # (K, D)
        return pooled
