"""``tools/benchmark.py text-retrieval``: query latency, recall@10 and bytes per image of the
gallery index (``ovseg.apis.retrieval.GalleryIndex``, FAISS), side by side in one run.

Synthetic galleries of L2-normalised ``--dim`` vectors drawn around ``--centers`` random
centres (embeddings of real galleries cluster; uniform random vectors would make every
approximate index look worse than it is), queries = gallery vectors plus noise, searched one at
a time (a user's query), ``--top-k`` 10:

- ``--small`` (10,000) vectors: the exact flat inner-product index;
- ``--large`` (1,000,000) vectors: flat (the exact reference), IVF and HNSW; recall@10 of each
  against the flat index's top 10.

Also the query encoding of ``--config`` (FDP's prompt through the text tower, random weights),
which a query pays once before the search. Index bytes per image: the serialised FAISS index
divided by the images (the image paths of ``meta.json`` come on top).

    python tools/benchmark.py text-retrieval [--small 10000] [--large 1000000] [--dim 128]
        [--queries 200] [--nlist N] [--nprobe 16 64] [--ef-search 64 256] [--threads 1]
"""
import argparse
import os
import os.path as osp
import shlex
import sys
import time
from typing import Dict, List

import numpy as np

from .common import ROOT, register_benchmark, write_report

DEFAULT_CONFIG = 'configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py'


def synthetic_gallery(num: int, dim: int, *, centers: int, seed: int = 0) -> np.ndarray:
    """(num, dim) float32 L2-normalised vectors around ``centers`` random directions."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centers, dim)).astype(np.float32)
    vectors = np.empty((num, dim), np.float32)
    step = 100_000
    for start in range(0, num, step):  # in slices: the noise of 1M x D at once doubles memory
        stop = min(num, start + step)
        vectors[start:stop] = middle[rng.integers(0, centers, stop - start)]
        vectors[start:stop] += 0.7 * rng.standard_normal((stop - start, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def _queries(gallery: np.ndarray, num: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picked = gallery[rng.integers(0, len(gallery), num)]
    noisy = picked + 0.3 * rng.standard_normal(picked.shape).astype(np.float32)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def measure_index(index, queries: np.ndarray, top_k: int,
                  exact: List[set] = None) -> Dict[str, float]:
    """Median / p95 ms of one-query searches, bytes per image, recall@k against ``exact``."""
    import faiss
    times, found = [], []
    index.search(queries[:5], top_k)  # warm-up
    for query in queries:
        start = time.perf_counter()
        row = index.search(query[None], top_k)[0]
        times.append(time.perf_counter() - start)
        found.append({path for path, _ in row})
    row = dict(median_ms=1000 * float(np.median(times)),
               p95_ms=1000 * float(np.percentile(times, 95)),
               bytes_per_image=faiss.serialize_index(index.index).nbytes / len(index))
    if exact is not None:
        row['recall_at_k'] = float(np.mean([len(f & e) / top_k for f, e in zip(found, exact)]))
    return row, found


def build_index(vectors: np.ndarray, index_type: str, **kwargs):
    """A :class:`GalleryIndex` of ``vectors`` (paths ``0``, ``1``, ...) and its build seconds."""
    from ovseg.apis.retrieval import GalleryIndex
    start = time.perf_counter()
    index = GalleryIndex(dim=vectors.shape[1], index_type=index_type, **kwargs)
    index.add(vectors, [str(i) for i in range(len(vectors))])
    return index, time.perf_counter() - start


def _search_settings(index, args):
    """(row name, setter) for each search setting of ``index``: ``--nprobe`` values (IVF),
    ``--ef-search`` values (HNSW), the one setting of a flat index."""
    if index.index_type == 'ivf':
        return [(f'ivf{index.index.nlist} (nprobe {n})',
                 lambda n=n: setattr(index.index, 'nprobe', n)) for n in args.nprobe]
    if index.index_type == 'hnsw':
        return [(f'hnsw (M 32, ef {e})', lambda e=e: setattr(index.index.hnsw, 'efSearch', e))
                for e in args.ef_search]
    return [('flat', lambda: None)]


def query_encoding_ms(config: str, repeats: int) -> float:
    """Median ms to encode one query with the config's model (random weights)."""
    import torch
    from mmengine.config import Config

    from ovseg.apis.retrieval import load_retriever_model
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.model.pretrained = None
    model = load_retriever_model(cfg)
    words = ['hotel', 'grand hotel', 'the', 'cart', 'bakery']
    times = []
    with torch.no_grad():
        model.encode_queries(words[:1])
        for i in range(repeats):
            start = time.perf_counter()
            model.encode_queries([words[i % len(words)]])
            times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


@register_benchmark('text-retrieval', help='gallery index: query latency, recall@10 and bytes '
                    'per image of flat / IVF / HNSW on synthetic 10k and 1M galleries')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--small', type=int, default=10_000, help='vectors of the flat index')
    parser.add_argument('--large', type=int, default=1_000_000,
                        help='vectors of the flat / IVF / HNSW comparison')
    parser.add_argument('--dim', type=int, default=128,
                        help='embedding size (128: synthworld-rn-s; FDP on RN50: 1024)')
    parser.add_argument('--centers', type=int, default=1000)
    parser.add_argument('--queries', type=int, default=200)
    parser.add_argument('--top-k', type=int, default=10)
    parser.add_argument('--nlist', type=int, default=None, help='IVF cells (default ~4 sqrt N)')
    parser.add_argument('--nprobe', type=int, nargs='+', default=[16, 64],
                        help='IVF cells searched per query; one row each')
    parser.add_argument('--ef-search', type=int, nargs='+', default=[64, 256],
                        help='HNSW search breadth; one row each')
    parser.add_argument('--threads', type=int, default=1,
                        help='FAISS (OpenMP) threads; one query at a time gains little from '
                        'more, and on a busy machine their spinning costs milliseconds')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='model whose query encoding is timed ("" to skip)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_text_retrieval')

    def run(args) -> None:
        import faiss
        faiss.omp_set_num_threads(args.threads)
        work = osp.join(ROOT, args.work_dir)
        os.makedirs(work, exist_ok=True)
        command = 'python tools/benchmark.py ' + shlex.join(sys.argv[1:] or ['text-retrieval'])
        results = dict(command=command, faiss_threads=faiss.omp_get_max_threads(), rows=[])
        lines = [f'D = {args.dim}, one query at a time, top {args.top_k}, {args.queries} '
                 f'queries, {faiss.omp_get_max_threads()} FAISS threads; `{command}`', '',
                 '| gallery | index | build s | median ms | p95 ms | recall@10 | bytes/image |',
                 '|---|---|---|---|---|---|---|']

        def add(size, name, index, seconds, row):
            results['rows'].append(dict(gallery=size, index=name, index_type=index.index_type,
                                        build_s=seconds, **row))
            recall = f'{row["recall_at_k"]:.3f}' if 'recall_at_k' in row else '-'
            lines.append(f'| {size:,} | {name} | {seconds:.1f} | {row["median_ms"]:.3f} | '
                         f'{row["p95_ms"]:.3f} | {recall} | {row["bytes_per_image"]:.0f} |')

        for size, types in ((args.small, ('flat',)), (args.large, ('flat', 'ivf', 'hnsw'))):
            if size <= 0:
                continue
            vectors = synthetic_gallery(size, args.dim, centers=args.centers)
            queries = _queries(vectors, args.queries)
            exact = None
            for index_type in types:
                index, seconds = build_index(vectors, index_type, nlist=args.nlist)
                for name, set_param in _search_settings(index, args):
                    set_param()
                    row, found = measure_index(index, queries, args.top_k, exact)
                    if index_type == 'flat':
                        exact = found
                        row['recall_at_k'] = 1.0
                    add(size, name, index, seconds, row)
                del index
            del vectors
        if args.config:
            ms = query_encoding_ms(args.config, repeats=20)
            results['query_encoding_ms'] = ms
            lines += ['', f'query encoding ({args.config}, FDP prompt + text tower, random '
                      f'weights): median {ms:.2f} ms per query']
        write_report(work, '\n'.join(lines), results)
    return run
