"""FDP's Distinguish: content vs function words, and semantic-aware prompting.

FDP (https://arxiv.org/abs/2408.00441), Sec. 3.2: CLIP embeds function words ("the",
"of") and content words ("office") differently, so a 2-means over CLIP word embeddings of a
frequent-word list splits them; a query then gets the learnable prompt of its cluster
(2 context vectors for function words, 4 for content words, CoOp-style).
"""
from typing import List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..clip.text_encoder import CLIPTextEncoder


def two_means(embeddings: np.ndarray, *, seed: int = 0, iterations: int = 50) -> np.ndarray:
    """Seeded, deterministic 2-means (k-means++ start) with scipy: (N, D) -> centroids (2, D).

    The original uses sklearn ``KMeans(2)`` without a seed; scipy's ``kmeans2`` with a fixed
    generator gives the same clustering on every run.
    """
    from scipy.cluster.vq import kmeans2  # optional dependency, imported where used
    centroids, _ = kmeans2(np.asarray(embeddings, dtype=np.float64), 2, iter=iterations,
                           minit='++', rng=np.random.default_rng(seed))
    return centroids


def nearest_cluster(embeddings: Tensor, centroids: Tensor) -> Tensor:
    """Index (N,) of the nearest centroid (2, D) of each embedding (N, D) (k-means predict)."""
    return torch.cdist(embeddings.float(), centroids.float()).argmin(dim=1)


class SemanticAwarePrompts(nn.Module):
    """Learnable prompts chosen by the query's word cluster.

    FDP Sec. 3.2, Eq. (5): function words are encoded as ``[SOT] f1 f2 <word> . [EOT]`` and
    content words as ``[SOT] c1 c2 c3 c4 <word> . [EOT]``; the contexts (N(0, 0.02)) are
    shared within a cluster and go through the frozen CLIP text tower, read at ``[EOT]``.
    The clusters are fitted once (:meth:`fit`) from the text tower's raw embeddings of a
    frequent-word list; the cluster holding ``anchor`` ("the") is the function-word one. The
    centroids are buffers, saved with the model.

    Args:
        width (int): W, the text tower's token width.
        embed_dim (int): D, the joint embedding width.
        function_context (int): context vectors of function words. Defaults to 2.
        content_context (int): context vectors of content words. Defaults to 4.
        learnable (bool): use the learnable contexts; False encodes the bare ``'<word>.'``
            (zero-shot CLIP). Defaults to True.
        template (str): the word's text after the contexts, ``{}`` the word; a CLIP
            pretrained on ``'the word "cart"'`` is prompted in those words. Defaults to
            ``'{}.'`` (FDP's ``'<word>.'``).
    """

    def __init__(self, *, width: int, embed_dim: int, function_context: int = 2,
                 content_context: int = 4, learnable: bool = True,
                 template: str = '{}.') -> None:
        super().__init__()
        if '{}' not in template:
            raise ValueError(f'SemanticAwarePrompts template {template!r} has no "{{}}" for '
                             'the word')
        self.learnable = learnable
        self.template = template
        self.function_context = nn.Parameter(torch.empty(1, function_context, width))
        self.content_context = nn.Parameter(torch.empty(1, content_context, width))
        nn.init.normal_(self.function_context, std=0.02)
        nn.init.normal_(self.content_context, std=0.02)
        if not learnable:
            self.function_context.requires_grad_(False)
            self.content_context.requires_grad_(False)
        self.register_buffer('centroids', torch.zeros(2, embed_dim))
        # -1 until fit(): no word is a function word
        self.register_buffer('function_cluster', torch.tensor(-1))

    @torch.no_grad()
    def fit(self, text_encoder: CLIPTextEncoder, words: Sequence[str], *,
            anchor: str = 'the', seed: int = 0) -> None:
        """Cluster ``words`` by their raw CLIP embeddings; the anchor's cluster is function.

        Raises:
            ValueError: ``anchor`` not among ``words``.
        """
        words = list(words)
        if anchor not in words:
            raise ValueError(f'the function-word anchor {anchor!r} is not in the '
                             f'{len(words)} clustering words')
        embeddings = self.raw_embeddings(text_encoder, words)  # (N, D)
        centroids = torch.from_numpy(two_means(embeddings.cpu().numpy(), seed=seed))
        self.centroids.copy_(centroids.to(self.centroids))
        anchor_cluster = nearest_cluster(embeddings[words.index(anchor)][None], self.centroids)
        self.function_cluster.fill_(int(anchor_cluster[0]))

    @staticmethod
    def raw_embeddings(text_encoder: CLIPTextEncoder, words: Sequence[str]) -> Tensor:
        """CLIP embeddings (N, D) of the bare words, L2-normalised over D."""
        device = text_encoder.token_embedding.weight.device
        tokens = _trim(text_encoder.tokenize(list(words)).to(device))
        return F.normalize(text_encoder(tokens), dim=-1)

    def is_function_word(self, text_encoder: CLIPTextEncoder, words: Sequence[str]) -> Tensor:
        """(N,) bool: whether each word falls in the function-word cluster."""
        with torch.no_grad():
            raw = self.raw_embeddings(text_encoder, words)
        return nearest_cluster(raw, self.centroids) == self.function_cluster

    def forward(self, text_encoder: CLIPTextEncoder, words: Sequence[str],
                function: Optional[Tensor] = None) -> Tensor:
        """Encode N query words with their cluster's prompt.

        Args:
            text_encoder (CLIPTextEncoder): the frozen CLIP text tower.
            words (Sequence[str]): N words.
            function (Tensor, optional): (N,) bool prompt choice, overriding the clusters
                (distracted candidates take their query's prompt). Defaults to None.

        Returns:
            Tensor: (N, D) query embeddings, L2-normalised over D; differentiable w.r.t. the
            contexts.
        """
        words = list(words)
        device = text_encoder.token_embedding.weight.device
        if not self.learnable:
            return F.normalize(text_encoder(_trim(
                text_encoder.tokenize([self.template.format(w) for w in words]).to(device))),
                dim=-1)
        if function is None:
            function = self.is_function_word(text_encoder, words)
        function = function.tolist()
        out = torch.empty(len(words), self.centroids.shape[1], device=device)
        for flag, context in ((True, self.function_context), (False, self.content_context)):
            index: List[int] = [i for i, f in enumerate(function) if f == flag]
            if not index:
                continue
            tokens = text_encoder.tokenize([self.template.format(words[i]) for i in index],
                                           context_length=text_encoder.context_length
                                           - context.shape[1]).to(device)
            embedded = F.normalize(text_encoder(_trim(tokens), context), dim=-1)  # (n, D)
            out = out.index_put((torch.tensor(index, device=device),), embedded.to(out.dtype))
        return out


def _trim(tokens: Tensor) -> Tensor:
    """Cut (N, L) tokens after the longest sequence's last non-zero token (causal masking
    makes the padding irrelevant to ``[EOT]``)."""
    length = int((tokens != 0).sum(dim=1).max())
    return tokens[:, :length]

