"""PMP: prompt-guided mask proposals, text-query cross-attention inside the Mask2Former decoder."""
import copy
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import MultiheadAttention
from mmdet.models.layers import Mask2FormerTransformerDecoder
from mmdet.models.layers.transformer.mask2former_layers import \
    Mask2FormerTransformerDecoderLayer
from mmengine.config import ConfigDict
from mmengine.model import ModuleList
from mmseg.registry import MODELS
from torch import Tensor, nn

from .maskformer_proposals import OpenVocabMask2FormerHead

PLACEMENTS = ('after_cross', 'after_self', 'before_cross', 'none')


class PromptGuidedDecoderLayer(Mask2FormerTransformerDecoderLayer):
    """Mask2Former decoder layer with a cross-attention from queries to text tokens.

    PMP, Li et al., arXiv 2412.10292 (abstract: text-query cross-attention in every layer of a
    query-based mask decoder). The exact placement is not published; ours is a switch:

    - ``'after_cross'`` (default): masked cross-attn -> norm -> **text-attn -> norm** ->
      self-attn -> norm -> FFN -> norm;
    - ``'before_cross'``: text first; ``'after_self'``: between self-attention and the FFN;
    - ``'none'``: the plain Mask2Former layer (no extra weights).

    The text attention is a residual ``MultiheadAttention`` (queries + query positions attend
    to the K text tokens, which have no positions) followed by LayerNorm. The text tokens are
    set by the owning decoder (:meth:`PromptGuidedTransformerDecoder.text`).

    Args:
        placement (str): one of ``PLACEMENTS``. Defaults to ``'after_cross'``.
        text_attn_cfg (dict, optional): ``MultiheadAttention`` config of the text attention.
            Defaults to None (a copy of ``cross_attn_cfg``).
        **kwargs: ``Mask2FormerTransformerDecoderLayer`` arguments (``self_attn_cfg``,
            ``cross_attn_cfg``, ``ffn_cfg``, ``norm_cfg``).
    """

    def __init__(self, *, placement: str = 'after_cross', text_attn_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if placement not in PLACEMENTS:
            raise ValueError(f'placement must be one of {PLACEMENTS}, not {placement!r}')
        super().__init__(**kwargs)
        self.placement = placement
        self.text_tokens: Optional[Tensor] = None
        if placement != 'none':
            cfg = copy.deepcopy(dict(text_attn_cfg or self.cross_attn_cfg))
            cfg['batch_first'] = True
            self.text_attn = MultiheadAttention(**cfg)
            self.text_norm = build_norm_layer(self.norm_cfg, self.embed_dims)[1]

    def _attend_text(self, query: Tensor, query_pos: Optional[Tensor]) -> Tensor:
        """Residual text attention + LayerNorm: (B, Q, C) -> (B, Q, C)."""
        if self.text_tokens is None:
            raise RuntimeError('PromptGuidedDecoderLayer needs text tokens (B, K, C); run it '
                               'inside PromptGuidedTransformerDecoder.text(tokens).')
        # Positions are added here, not via query_pos: MultiheadAttention would also add
        # query_pos to the keys whenever K == Q.
        with_pos = query if query_pos is None else query + query_pos
        query = self.text_attn(query=with_pos, key=self.text_tokens, value=self.text_tokens,
                               identity=query)
        return self.text_norm(query)

    def forward(self, query: Tensor, key: Tensor = None, value: Tensor = None,
                query_pos: Tensor = None, key_pos: Tensor = None,
                self_attn_mask: Tensor = None, cross_attn_mask: Tensor = None,
                key_padding_mask: Tensor = None, **kwargs) -> Tensor:
        """One decoder layer.

        Args:
            query (Tensor): (B, Q, C) query features.
            key, value (Tensor): (B, L, C) pixel-decoder tokens of one level.
            query_pos (Tensor): (B, Q, C) learned query positions.
            key_pos (Tensor): (B, L, C) sine positions of the keys.
            self_attn_mask (Tensor, optional): self-attention mask.
            cross_attn_mask (Tensor): (B * heads, Q, L) bool, True = not attended
                (the previous layer's masks).
            key_padding_mask (Tensor, optional): (B, L).

        Returns:
            Tensor: (B, Q, C).
        """
        if self.placement == 'none':
            return super().forward(query, key, value, query_pos, key_pos, self_attn_mask,
                                   cross_attn_mask, key_padding_mask, **kwargs)
        if self.placement == 'before_cross':
            query = self._attend_text(query, query_pos)
        query = self.cross_attn(query=query, key=key, value=value, query_pos=query_pos,
                                key_pos=key_pos, attn_mask=cross_attn_mask,
                                key_padding_mask=key_padding_mask, **kwargs)
        query = self.norms[0](query)
        if self.placement == 'after_cross':
            query = self._attend_text(query, query_pos)
        query = self.self_attn(query=query, key=query, value=query, query_pos=query_pos,
                               key_pos=query_pos, attn_mask=self_attn_mask, **kwargs)
        query = self.norms[1](query)
        if self.placement == 'after_self':
            query = self._attend_text(query, query_pos)
        query = self.ffn(query)
        return self.norms[2](query)


class PromptGuidedTransformerDecoder(Mask2FormerTransformerDecoder):
    """Mask2Former decoder made of :class:`PromptGuidedDecoderLayer`.

    Args:
        placement (str): text-attention placement of every layer. Defaults to
            ``'after_cross'``.
        **kwargs: ``Mask2FormerTransformerDecoder`` arguments (``num_layers``,
            ``layer_cfg``, ``post_norm_cfg``, ``return_intermediate``).
    """

    def __init__(self, *, placement: str = 'after_cross', **kwargs) -> None:
        kwargs['layer_cfg'] = dict(copy.deepcopy(dict(kwargs['layer_cfg'])), placement=placement)
        super().__init__(**kwargs)
        self.placement = placement

    def _init_layers(self) -> None:
        self.layers = ModuleList([PromptGuidedDecoderLayer(**copy.deepcopy(self.layer_cfg))
                                  for _ in range(self.num_layers)])
        self.embed_dims = self.layers[0].embed_dims
        self.post_norm = build_norm_layer(self.post_norm_cfg, self.embed_dims)[1]

    @contextmanager
    def text(self, tokens: Tensor) -> Iterator[None]:
        """Give every layer the text tokens (B, K, C) inside the ``with`` block."""
        for layer in self.layers:
            layer.text_tokens = tokens
        try:
            yield
        finally:
            for layer in self.layers:
                layer.text_tokens = None


@MODELS.register_module()
class PromptGuidedMask2FormerHead(OpenVocabMask2FormerHead):
    """PMP head: open-vocabulary Mask2Former whose queries attend to the asked classes.

    PMP (arXiv 2412.10292); design from ``ovseg.md`` Sec. 4 (ours, not the paper's): the K
    class embeddings (the same template ensemble the classifier uses) are projected D -> C and
    attended to by the queries in every decoder layer, so the masks predicted after each layer
    depend on the vocabulary. With ``placement='none'`` it is exactly
    :class:`OpenVocabMask2FormerHead` (same weights, same outputs).

    ``forward(x, samples, class_embeddings): text_proj(class_embeddings) -> (B, K, C) ->
    Mask2Former forward with every decoder layer attending to the text tokens``

    Args:
        placement (str): ``'after_cross'``, ``'after_self'``, ``'before_cross'`` or ``'none'``.
            Defaults to ``'after_cross'``.
        **kwargs: :class:`OpenVocabMask2FormerHead` arguments.
    """

    def __init__(self, *, placement: str = 'after_cross', **kwargs) -> None:
        super().__init__(**kwargs)
        if placement not in PLACEMENTS:
            raise ValueError(f'placement must be one of {PLACEMENTS}, not {placement!r}')
        self.placement = placement
        cfg = ConfigDict(copy.deepcopy(dict(kwargs['transformer_decoder'])))
        self.transformer_decoder = PromptGuidedTransformerDecoder(placement=placement, **cfg)
        self.text_proj = (nn.Linear(self.embed_dim, self.decoder_embed_dims)
                          if placement != 'none' else None)

    def forward(self, x: List[Tensor], batch_data_samples: list,
                class_embeddings: Optional[Tensor] = None) -> Tuple[list, list]:
        """Mask2Former forward conditioned on the vocabulary.

        Args:
            x (list[Tensor]): backbone levels (B, C_i, H_i, W_i).
            batch_data_samples (list): data samples (only their number is used).
            class_embeddings (Tensor, optional): (K, D); None inside :meth:`vocabulary`.

        Returns:
            tuple[list[Tensor], list[Tensor]]: per prediction step (L + 1) class logits
            (B, Q, K+1) and mask logits (B, Q, h, w).
        """
        if class_embeddings is not None:
            with self.vocabulary(class_embeddings):
                return self.forward(x, batch_data_samples)
        if self.text_proj is None:
            return super().forward(x, batch_data_samples)
        text = self.cls_embed.class_embeddings
        if text is None:
            raise RuntimeError('PromptGuidedMask2FormerHead needs class_embeddings (K, D).')
        tokens = self.text_proj(text.to(self.text_proj.weight))  # (K, C)
        tokens = tokens.unsqueeze(0).expand(x[0].shape[0], -1, -1)  # (B, K, C)
        with self.transformer_decoder.text(tokens):
            return super().forward(x, batch_data_samples)
