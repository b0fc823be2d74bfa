"""Text-to-image retrieval over a gallery index: encode the gallery once, query in milliseconds.

:class:`GalleryIndex` is a FAISS inner-product index over the L2-normalised image embeddings
of a scene-text retriever (:class:`~ovseg.models.text_retrieval.FDPRetriever`), so the inner
product is the model's cosine score; its metadata (image paths, the model's fingerprint, the
config, the unreadable images) lies beside it. :class:`TextRetriever` encodes a query with the
same model and searches the index. ``tools/build_gallery.py`` (:mod:`ovseg.apis.gallery`)
builds an index, ``tools/retrieve.py`` queries one. Example::

    from ovseg.apis.retrieval import TextRetriever
    retriever = TextRetriever('work_dirs/gallery')  # the index's own config and weights
    retriever('hotel', top_k=5)  # [(image path, cosine score), ...], best first
"""
import hashlib
import json
import os
import os.path as osp
import unicodedata
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ovseg.utils.errors import InputError

#: the index types of :class:`GalleryIndex`
INDEX_TYPES = ('flat', 'ivf', 'hnsw')
INDEX_FILE = 'index.faiss'
META_FILE = 'meta.json'
CONFIG_FILE = 'config.py'


class QueryError(InputError):
    """A query that cannot be searched: empty, only punctuation, or not in Latin script."""


class IndexMismatchError(InputError):
    """An index built with another model (fingerprints differ) or a broken index folder."""


def check_query(query: str) -> str:
    """The query with its whitespace collapsed, if FDP can search for it.

    Raises:
        QueryError: an empty or punctuation-only query, or letters outside the Latin script
            (the CLIP tokenizer and SynthWorld's dictionary are Latin: "unsupported").
    """
    text = ' '.join(str(query).split())
    if not any(ch.isalnum() for ch in text):
        what = 'empty' if not text else f'only punctuation ({text!r})'
        raise QueryError(f'query is {what}: give a word or a phrase')
    foreign = sorted({ch for ch in text if ch.isalpha()
                      and not unicodedata.name(ch, '').startswith('LATIN')})
    if foreign:
        raise QueryError(f'query {text!r}: unsupported script ({"".join(foreign)}); '
                         'scene-text retrieval supports Latin letters and digits only')
    return text


def model_fingerprint(model: nn.Module, config_name: str) -> str:
    """16 hex digits of SHA-256 over the config name and the model's state dict (every key,
    dtype, shape and value): two models score alike only when their fingerprints agree."""
    digest = hashlib.sha256(config_name.encode())
    for key, value in sorted(model.state_dict().items()):
        tensor = value.detach().cpu().contiguous()
        digest.update(f'{key}:{tensor.dtype}:{tuple(tensor.shape)}'.encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def _atomic_write(path: str, write) -> None:
    """``write(tmp_path)`` then rename: a reader sees the old file or the whole new one."""
    tmp = f'{path}.tmp{os.getpid()}'
    write(tmp)
    os.replace(tmp, path)


class GalleryIndex:
    """FAISS index of N gallery images' (N, D) L2-normalised embeddings, with metadata.

    FAISS does the search (exact or approximate); what it lacks is the mapping from its row
    ids to images and the model that made the vectors, which ``metadata`` holds.

    Args:
        dim (int): D, the embedding size.
        index_type (str): ``'flat'`` (exact inner product, the default), ``'ivf'`` (inverted
            lists over k-means cells, trained on the first vectors added; for galleries of
            millions) or ``'hnsw'`` (graph, no training).
        nlist (int, optional): IVF cells. Defaults to about 4 sqrt(N), at least 39 vectors
            per cell (FAISS's minimum for training).
        nprobe (int): IVF cells searched per query. Defaults to 16.
        hnsw_m (int): HNSW neighbours per node. Defaults to 32.
        ef_search (int): HNSW search breadth. Defaults to 64.
        metadata (dict, optional): ``fingerprint``, ``config_name``, ``unreadable``, ...
    """

    def __init__(self, *, dim: int, index_type: str = 'flat', nlist: Optional[int] = None,
                 nprobe: int = 16, hnsw_m: int = 32, ef_search: int = 64,
                 metadata: Optional[Dict[str, Any]] = None) -> None:
        import faiss
        if index_type not in INDEX_TYPES:
            raise InputError(f'index type {index_type!r} is not one of {", ".join(INDEX_TYPES)}')
        self.dim, self.index_type = dim, index_type
        self.nlist, self.nprobe = nlist, nprobe
        self.paths: List[str] = []
        self.metadata: Dict[str, Any] = dict(metadata or {})
        if index_type == 'hnsw':
            self.index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efSearch = ef_search
        elif index_type == 'flat':
            self.index = faiss.IndexFlatIP(dim)
        else:
            self.index = None  # IVF: built by add(), when the training vectors are known

    def __len__(self) -> int:
        return len(self.paths)

    def add(self, embeddings: np.ndarray, paths: Sequence[str]) -> None:
        """Add (N, D) float32 embeddings of the images ``paths`` (IVF: the first call trains)."""
        import faiss
        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[1] != self.dim \
                or len(embeddings) != len(paths):
            raise ValueError(f'GalleryIndex.add: embeddings {embeddings.shape} for '
                             f'{len(paths)} paths, expected (N, {self.dim})')
        if self.index is None:
            nlist = self.nlist or max(1, min(int(4 * len(embeddings) ** 0.5),
                                             len(embeddings) // 39))
            self.index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, nlist,
                                            faiss.METRIC_INNER_PRODUCT)
            self.index.train(embeddings)
            self.index.nprobe = self.nprobe
        self.index.add(embeddings)
        self.paths.extend(paths)

    def search(self, queries: np.ndarray, top_k: int = 10) -> List[List[Tuple[str, float]]]:
        """Per query of (Q, D) embeddings the ``top_k`` images, best first, as (path, score)."""
        if not self.paths:
            return [[] for _ in range(len(queries))]
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        scores, ids = self.index.search(queries, min(top_k, len(self.paths)))
        return [[(self.paths[i], float(s)) for s, i in zip(row_s, row_i) if i >= 0]
                for row_s, row_i in zip(scores, ids)]

    def reconstruct(self) -> np.ndarray:
        """(N, D) the stored embeddings in index order (flat and HNSW; IVF keeps no order)."""
        return self.index.reconstruct_n(0, self.index.ntotal)

    def save(self, folder: str) -> None:
        """Write ``index.faiss`` and ``meta.json`` (paths, index type, metadata) into
        ``folder``, each atomically."""
        import faiss
        os.makedirs(folder, exist_ok=True)
        if self.index is not None:
            _atomic_write(osp.join(folder, INDEX_FILE),
                          lambda tmp: faiss.write_index(self.index, tmp))
        meta = dict(self.metadata, dim=self.dim, index_type=self.index_type, paths=self.paths)

        def write(tmp: str) -> None:
            with open(tmp, 'w') as f:
                json.dump(meta, f, indent=1)
        _atomic_write(osp.join(folder, META_FILE), write)

    @classmethod
    def load(cls, folder: str) -> 'GalleryIndex':
        """The index saved in ``folder`` by :meth:`save`.

        Raises:
            FileNotFoundError: ``folder`` has no ``meta.json`` (not a built index).
        """
        import faiss
        meta_path = osp.join(folder, META_FILE)
        if not osp.isfile(meta_path):
            raise FileNotFoundError(2, 'No gallery index (meta.json) in', folder)
        with open(meta_path) as f:
            meta = json.load(f)
        dim, index_type, paths = meta.pop('dim'), meta.pop('index_type'), meta.pop('paths')
        gallery = cls(dim=dim, index_type='flat', metadata=meta)
        gallery.index_type, gallery.paths = index_type, paths
        if paths:
            gallery.index = faiss.read_index(osp.join(folder, INDEX_FILE))
            if gallery.index.ntotal != len(paths):
                raise IndexMismatchError(f'{folder}: {INDEX_FILE} holds {gallery.index.ntotal} '
                                         f'vectors for {len(paths)} images in {META_FILE}')
        return gallery


def load_retriever_model(config: Any, weights: Optional[str] = None, *,
                         device: str = 'cpu', cfg_options: Optional[dict] = None) -> nn.Module:
    """A scene-text retriever in eval mode from a config and optional weights (strict), as
    ``tools/test.py`` builds it (without weights: ``init_weights()``).

    The parts that neither weights nor ``pretrained`` set start from the seed
    ``cfg.randomness.seed`` (0 if unset), so that a restarted build and every query of its
    index build the same model (the same fingerprint).
    """
    from mmengine.config import Config
    from mmengine.registry import MODELS

    import ovseg.models  # noqa: F401  (registers FDPRetriever)

    from .model import load_weights_or_init
    # built as mmseg's init_model does, less its train_cfg / test_cfg (a retriever has none)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    from mmengine.runner import set_random_seed
    set_random_seed((cfg.get('randomness') or {}).get('seed') or 0)
    model = MODELS.build(cfg.model)
    model.cfg = cfg
    model = load_weights_or_init(model, weights, device=device, dataset_meta=False)
    if not hasattr(model, 'encode_queries') or not hasattr(model, 'encode_images'):
        raise InputError(f'{type(model).__name__} is not a text retriever (needs encode_images '
                         'and encode_queries, e.g. FDPRetriever)')
    return model


class TextRetriever:
    """Ranked gallery images for a word or phrase: ``retriever(query, top_k)``.

    The query goes through :func:`check_query`, the model's ``encode_queries`` (FDP's
    semantic-aware prompt), then :meth:`GalleryIndex.search`; scores are cosines.

    Args:
        index (str | GalleryIndex): an index folder (``tools/build_gallery.py --out``).
        config (str, optional): the model config; defaults to the index's ``config.py``.
        weights (str, optional): checkpoint; defaults to the weights the index was built
            with (None there: ``init_weights()``).
        model (nn.Module, optional): an already built retriever instead of config/weights.
        config_name (str, optional): with ``model``: its config's file name (part of the
            fingerprint). Defaults to None.
        device (str): Defaults to ``'cpu'``.
        cfg_options (dict, optional): config overrides. Defaults to None.

    Raises:
        IndexMismatchError: the model's fingerprint is not the index's (both named).
    """

    def __init__(self, index: Any, config: Optional[str] = None,
                 weights: Optional[str] = None, *, model: Optional[nn.Module] = None,
                 config_name: Optional[str] = None, device: str = 'cpu',
                 cfg_options: Optional[dict] = None) -> None:
        folder = index if isinstance(index, str) else None
        self.index = GalleryIndex.load(index) if folder else index
        meta = self.index.metadata
        if model is None:
            config_name = osp.basename(config) if config else meta.get('config_name', '')
            if config is None:
                if folder is None:
                    raise InputError('TextRetriever: give a config for an in-memory index')
                config = osp.join(folder, CONFIG_FILE)
            if weights is None:
                weights = meta.get('weights')
            model = load_retriever_model(config, weights, device=device,
                                         cfg_options=cfg_options)
        self.model = model.eval()
        fingerprint = model_fingerprint(self.model, osp.basename(config_name or ''))
        if fingerprint != meta.get('fingerprint'):
            raise IndexMismatchError(
                f'index {folder or "(in memory)"} was built with model {meta.get("fingerprint")} '
                f'({meta.get("config_name")}), this model is {fingerprint} '
                f'({osp.basename(config_name or "")}): rebuild the index or pass its model')

    @torch.no_grad()
    def encode(self, queries: Sequence[str]) -> np.ndarray:
        """(Q, D) float32 query embeddings, L2-normalised (queries checked first)."""
        words = [check_query(q) for q in queries]
        return self.model.encode_queries(words).float().cpu().numpy()

    def __call__(self, query: str, top_k: int = 10) -> List[Tuple[str, float]]:
        """The ``top_k`` gallery images for ``query``, best first, as (path, cosine score)."""
        if top_k < 1:
            raise InputError(f'top_k must be at least 1, got {top_k}')
        return self.index.search(self.encode([query]), top_k)[0]
