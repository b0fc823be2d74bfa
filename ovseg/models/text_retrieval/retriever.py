"""FDP scene-text retriever on a CLIP ResNet (MMEngine ``BaseModel``)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.structures import BaseDataElement
from torch import Tensor

from ..clip import CLIPResNet, CLIPTextEncoder, Vocabulary, clip_data_preprocessor
from .distinguish import SemanticAwarePrompts
from .distracted import distracted_candidates, distracted_targets
from .focus import MaskedAttentionPool, SceneTextProbe, TextScoreHead
from .losses import BalancedBCELoss, distracted_kl_loss
from .word_lists import get_word_list


@MODELS.register_module()
class FDPRetriever(BaseModel):
    """OCR-free scene-text retrieval: which gallery images contain a query word.

    FDP (https://arxiv.org/abs/2408.00441): Focus (Sec. 3.1: text score map S on C5 as an
    additive bias of the attention pool, Eqs. 1-2; "scene text" probing, Eq. 4), Distinguish
    and semantic-aware prompting (Sec. 3.2, Eq. 5), distracted queries (Sec. 3.3). CLIP is
    frozen; only the score head, the pool's positional embedding, the probe and the prompt
    contexts train. Score = cosine of image and query embeddings (Sec. 3.4).

    Call graph:

    - ``loss()``: ``encode_images(inputs)`` -> (embeddings, S); ``prompts(text)`` ->
      symmetric InfoNCE; ``prompts(candidates)`` -> distracted KL; ``BalancedBCELoss(S)``
    - ``predict()``: ``encode_images(inputs)`` x ``encode_queries(vocabulary)`` -> scores

    Args:
        model_name (str): open_clip ModifiedResNet CLIP, e.g. ``'RN50'``.
        pretrained (str, optional): open_clip tag, file or ovseg weights name, loaded into
            both towers by :meth:`init_weights`. Defaults to None.
        image_size (int): training input size; the C5 grid is ``image_size // 32``.
            Defaults to 640 (FDP).
        cluster_words (str | Sequence[str]): frequent words clustered into content / function
            words (must contain ``anchor``), or a :func:`list_word_lists` name. Defaults to ()
            (no clustering: every word is a content word).
        dictionary (str | Sequence[str]): where distracted candidates come from, or a list
            name. Defaults to () (no distracted-query loss).
        anchor (str): the word whose cluster is function words. Defaults to ``'the'``.
        seed (int): seed of the 2-means. Defaults to 0.
        with_focus (bool): score map and biased pool (False: CLIP's own pool). Defaults to True.
        with_probe (bool): "scene text" probing. Defaults to True.
        learnable_prompts (bool): semantic-aware prompts (False: ``'<word>.'``).
            Defaults to True.
        query_template (str): a query word's text, after the learnable contexts if any
            (:class:`SemanticAwarePrompts` ``template``). Defaults to ``'{}.'`` (FDP).
        probe_text (str): the probe prompt. Defaults to ``'scene text'``.
        probe_heads (int): heads of the probe attention. Defaults to 8.
        max_candidates (int): distracted candidates per query, the query included.
            Defaults to 5.
        loss_weights (dict, optional): weights of ``contrastive``, ``distracted``,
            ``score_map``. Defaults to all 1 (FDP).
        data_preprocessor (dict, optional): defaults to :func:`clip_data_preprocessor`.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> model = FDPRetriever(model_name='ovseg-tiny-rn', image_size=64, probe_heads=4)
        >>> model.set_vocabulary(['cat', 'the'])
        >>> data = model.data_preprocessor(dict(inputs=[torch.zeros(3, 64, 64)],
        ...                                     data_samples=[BaseDataElement()]))
        >>> model(**data, mode='predict')[0].pred_scores.shape
        torch.Size([2])
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 image_size: int = 640, cluster_words: Union[str, Sequence[str]] = (),
                 dictionary: Union[str, Sequence[str]] = (), anchor: str = 'the', seed: int = 0,
                 with_focus: bool = True, with_probe: bool = True,
                 learnable_prompts: bool = True, query_template: str = '{}.',
                 probe_text: str = 'scene text',
                 probe_heads: int = 8, max_candidates: int = 5,
                 loss_weights: Optional[Dict[str, float]] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or clip_data_preprocessor(),
                         init_cfg=init_cfg)
        # without focus the image embedding is CLIP's own attention pool (with_embeddings)
        self.backbone = CLIPResNet(model_name=model_name, pretrained=pretrained,
                                   image_size=image_size, out_indices=(3,), freeze_all=True,
                                   with_embeddings=not with_focus)
        self.text_encoder = CLIPTextEncoder(model_name=model_name, pretrained=pretrained)
        channels, dim = self.backbone.out_channels[0], self.backbone.embed_dim
        grid = image_size // 32
        self.with_focus = with_focus
        self.score_head = TextScoreHead(in_channels=channels, embed_dim=dim) if with_focus else None
        self.masked_pool = (MaskedAttentionPool(num_channels=channels, grid_size=(grid, grid))
                            if with_focus else None)
        self.probe = SceneTextProbe(embed_dim=dim, num_heads=probe_heads) if with_probe else None
        self.prompts = SemanticAwarePrompts(width=self.text_encoder.width, embed_dim=dim,
                                            learnable=learnable_prompts,
                                            template=query_template)
        self.cluster_words = get_word_list(cluster_words)
        if self.cluster_words and anchor not in self.cluster_words:
            raise ValueError(f'FDPRetriever: anchor {anchor!r} is not in cluster_words')
        self.dictionary = get_word_list(dictionary)
        self.anchor = anchor
        self.seed = seed
        self.probe_text = probe_text
        self.max_candidates = max_candidates
        weights = dict(contrastive=1.0, distracted=1.0, score_map=1.0)
        unknown = set(loss_weights or {}) - set(weights)
        if unknown:
            raise ValueError(f'FDPRetriever loss_weights: unknown keys {sorted(unknown)}, '
                             f'expected {sorted(weights)}')
        self.loss_weights = dict(weights, **(loss_weights or {}))
        self.score_loss = BalancedBCELoss()
        self._queries: Optional[Tuple[str, ...]] = None
        self._query_cache: Optional[Tuple[tuple, Tensor]] = None

    def init_weights(self) -> None:
        """Load CLIP, copy the pool's v/c projections and positions into the focus parts,
        then fit the word clusters on the loaded text tower."""
        super().init_weights()
        pool = self.backbone.visual.attnpool
        if self.with_focus:
            self.score_head.init_from_pool(pool)
            self.masked_pool.init_from_pool(pool)
        if self.cluster_words:
            self.prompts.fit(self.text_encoder, self.cluster_words, anchor=self.anchor,
                             seed=self.seed)

    def set_vocabulary(self, names) -> None:
        """The queries (K words) that :meth:`predict` scores every image against."""
        self._queries = tuple(Vocabulary.from_source(names).names)

    def _probe_embedding(self) -> Tensor:
        """(D,) CLIP embedding of ``probe_text``, L2-normalised (frozen tower)."""
        with torch.no_grad():
            return self.prompts.raw_embeddings(self.text_encoder, [self.probe_text])[0]

    def encode_images(self, inputs: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        """Gallery embeddings.

        Args:
            inputs (Tensor): (B, 3, H, W) CLIP-normalised images.

        Returns:
            tuple: (B, D) image embeddings, L2-normalised over D, and the text score map S
            (B, 1, H/32, W/32) logits (None without focus).
        """
        outs = self.backbone(inputs)
        score = None
        if self.with_focus:
            c5 = outs[0]  # (B, C, h, w)
            score = self.score_head(c5)  # (B, 1, h, w)
            image = self.masked_pool(c5, score, self.backbone.visual.attnpool)  # (B, D)
        else:
            image = outs[1][0]  # CLIP's own pool, (B, D)
        if self.probe is not None:
            image = self.probe(image, self._probe_embedding())
        return F.normalize(image, dim=-1), score

    def encode_queries(self, words: Sequence[str],
                       function: Optional[Tensor] = None) -> Tensor:
        """(N, D) query embeddings, L2-normalised, with their semantic-aware prompts."""
        return self.prompts(self.text_encoder, words, function)

    def _cached_queries(self) -> Tensor:
        if self._queries is None:
            raise RuntimeError('FDPRetriever: call set_vocabulary(queries) before predict().')
        key = (self._queries,) + tuple((p.data_ptr(), p._version)
                                       for p in self.prompts.parameters())
        if self._query_cache is None or self._query_cache[0] != key:
            with torch.no_grad():
                self._query_cache = (key, self.encode_queries(self._queries))
        return self._query_cache[1]

    def _candidates(self, words: Sequence[str]) -> Tuple[List[str], Tensor, Tensor]:
        """Distracted candidates of B words: flat list (B*M), distances and validity (B, M)."""
        flat, distances, valid = [], [], []
        for word in words:
            found = distracted_candidates(word, self.dictionary,
                                          max_candidates=self.max_candidates)
            pad = self.max_candidates - len(found)
            flat += [c for c, _ in found] + [word] * pad
            distances.append([d for _, d in found] + [0] * pad)
            valid.append([True] * len(found) + [False] * pad)
        return flat, torch.tensor(distances), torch.tensor(valid)

    def loss(self, inputs: Tensor, data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """FDP's loss: symmetric InfoNCE + distracted KL + balanced score-map BCE.

        Args:
            inputs (Tensor): (B, 3, H, W) CLIP-normalised images.
            data_samples (list[BaseDataElement]): each with ``text`` (str) and, with focus,
                ``gt_text_kernel`` / ``gt_text_mask`` (H/32, W/32).

        Returns:
            dict[str, Tensor]: ``loss_contrastive``, ``loss_distracted`` (with a
            dictionary), ``loss_score_map`` (with focus), scalars.
        """
        words = [s.text for s in data_samples]
        images, score = self.encode_images(inputs)  # (B, D), (B, 1, h, w)
        function = self.prompts.is_function_word(self.text_encoder, words)  # (B,)
        texts = self.encode_queries(words, function)  # (B, D)
        scale = self.text_encoder.logit_scale.exp()
        logits = scale * images @ texts.t()  # (B, B)
        labels = torch.arange(len(words), device=logits.device)
        losses = {'loss_contrastive': self.loss_weights['contrastive'] * 0.5 * (
            F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))}
        if self.dictionary:
            flat, distances, valid = self._candidates(words)
            num = self.max_candidates
            candidates = self.encode_queries(flat, function.repeat_interleave(num))
            candidates = candidates.reshape(len(words), num, -1)  # (B, M, D)
            cand_logits = scale * (images[:, None] * candidates).sum(-1)  # (B, M)
            valid = valid.to(logits.device)
            target = distracted_targets(distances.to(logits.device), valid)
            losses['loss_distracted'] = self.loss_weights['distracted'] * distracted_kl_loss(
                cand_logits, target, valid)
        if score is not None:
            target = torch.stack([s.gt_text_kernel for s in data_samples]).to(score)
            mask = torch.stack([s.gt_text_mask for s in data_samples]).to(score)
            if target.shape != score[:, 0].shape:
                raise ValueError(f'FDPRetriever: score-map targets {tuple(target.shape[1:])} '
                                 f'do not match the C5 grid {tuple(score.shape[2:])}; '
                                 'GenerateTextKernels(stride=32) must see the model input')
            losses['loss_score_map'] = self.loss_weights['score_map'] * self.score_loss(
                score[:, 0], target, mask)
        return losses

    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score every image against the queries of :meth:`set_vocabulary`.

        Returns:
            list[BaseDataElement]: the samples with ``image_embedding`` (D,) L2-normalised and
            ``pred_scores`` (K,) cosine similarities to the K queries.
        """
        images, _ = self.encode_images(inputs)
        scores = images @ self._cached_queries().t()  # (B, K)
        for sample, embedding, row in zip(data_samples, images, scores):
            sample.image_embedding = embedding
            sample.pred_scores = row
        return data_samples

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        """mmengine modes: ``'loss'`` -> dict, ``'predict'`` -> samples, ``'tensor'`` ->
        (B, D) image embeddings."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.encode_images(inputs)[0]
        raise RuntimeError(f'Invalid mode {mode!r}; use loss, predict or tensor.')
