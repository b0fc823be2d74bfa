"""Encoding a gallery once into a :class:`~ovseg.apis.retrieval.GalleryIndex`: batched,
resumable, split over the ranks of a distributed launch.

The index folder ``OUT`` holds, while it is built::

    OUT/build.json       the model fingerprint and config name the build started with
    OUT/shards/*.npz     encoded images: paths (P,), embeddings (P, D) float32, and the
                         unreadable images (paths, errors) of the same slice of the gallery

Each shard is its own manifest entry: it is written to a temporary file and renamed, so it
exists whole or not at all, and the images it lists are done. A restarted build reads every
shard, encodes only the images none lists, and rank 0 merges all shards (in gallery order) into
``index.faiss`` + ``meta.json`` + ``config.py``. No separate manifest file has to agree with
the shards, so a kill at any instant loses at most the shard being written.
"""
import glob
import hashlib
import json
import os
import os.path as osp
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ovseg.utils.errors import InputError

from .inputs import IMAGE_EXTENSIONS, InputItem, build_image_pipeline, expand_inputs, read_batches
from .retrieval import (CONFIG_FILE, GalleryIndex, IndexMismatchError, _atomic_write,
                        model_fingerprint)

BUILD_FILE = 'build.json'
SHARD_DIR = 'shards'


def gallery_items(source: str) -> List[InputItem]:
    """The images of a gallery: a folder (its images, sorted by name) or a list file (``.txt``,
    one image path a line, relative paths from the list's folder), paths made absolute; a
    path listed twice is kept once.

    Raises:
        FileNotFoundError: ``source`` does not exist.
        InputError: an empty list file or a folder without images.
    """
    if not osp.exists(source):
        raise FileNotFoundError(2, 'No such gallery folder or image list', source)
    if osp.isfile(source) and not source.lower().endswith(IMAGE_EXTENSIONS):
        with open(source) as f:
            lines = [line.strip() for line in f if line.strip() and not line.startswith('#')]
        if not lines:
            raise InputError(f'image list {source} is empty')
        base = osp.dirname(osp.abspath(source))
        paths = [p if osp.isabs(p) else osp.join(base, p) for p in lines]
        items, _ = expand_inputs(paths)
    else:
        items, _ = expand_inputs(source)
    unique: Dict[str, InputItem] = {}
    for item in items:
        item.path = osp.abspath(item.path)
        unique.setdefault(item.path, item)
    return list(unique.values())


def read_shards(out: str) -> List[Dict[str, Any]]:
    """Every finished shard of the build in ``out``: dicts of ``paths``, ``embeddings``,
    ``unreadable`` (list of dict(path, error))."""
    shards = []
    for path in sorted(glob.glob(osp.join(out, SHARD_DIR, '*.npz'))):
        with np.load(path) as data:
            shards.append(dict(
                paths=[str(p) for p in data['paths']], embeddings=data['embeddings'],
                unreadable=[dict(path=str(p), error=str(e))
                            for p, e in zip(data['bad_paths'], data['bad_errors'])]))
    return shards


def _write_shard(out: str, paths: List[str], embeddings: np.ndarray,
                 unreadable: List[Dict[str, str]]) -> str:
    """Atomically write one shard, named by the hash of the images it covers."""
    covered = sorted(paths + [u['path'] for u in unreadable])
    name = hashlib.sha1('\n'.join(covered).encode()).hexdigest()[:20]
    path = osp.join(out, SHARD_DIR, f'{name}.npz')

    def write(tmp: str) -> None:
        with open(tmp, 'wb') as f:  # a file object: np.savez would append .npz to a name
            np.savez(f, paths=np.array(paths, dtype=str), embeddings=embeddings,
                     bad_paths=np.array([u['path'] for u in unreadable], dtype=str),
                     bad_errors=np.array([u['error'] for u in unreadable], dtype=str))
    _atomic_write(path, write)
    return path


def _check_build_state(out: str, fingerprint: str, config_name: str, rank: int,
                       barrier: Callable[[], None]) -> None:
    """Record the model of a new build; refuse to resume one started with another model."""
    state_path = osp.join(out, BUILD_FILE)
    if rank == 0:
        # a shard half-written when the last build was killed: never renamed, never read
        for tmp in glob.glob(osp.join(out, SHARD_DIR, '*.npz.tmp*')):
            os.remove(tmp)
    if rank == 0 and not osp.isfile(state_path):
        os.makedirs(osp.join(out, SHARD_DIR), exist_ok=True)

        def write(tmp: str) -> None:
            with open(tmp, 'w') as f:
                json.dump(dict(fingerprint=fingerprint, config_name=config_name), f)
        _atomic_write(state_path, write)
    barrier()
    with open(state_path) as f:
        state = json.load(f)
    if state['fingerprint'] != fingerprint:
        raise IndexMismatchError(
            f'{out} holds a build with model {state["fingerprint"]} ({state["config_name"]}); '
            f'this model is {fingerprint} ({config_name}): choose another --out')


@torch.no_grad()
def encode_gallery(model: nn.Module, cfg: Any, items: Sequence[InputItem], out: str, *,
                   config_name: str, batch_size: int = 8, shard_size: int = 256,
                   rank: int = 0, world_size: int = 1,
                   barrier: Callable[[], None] = lambda: None,
                   show_progress: bool = True) -> Dict[str, int]:
    """Encode the images of ``items`` that no shard in ``out`` lists; this rank's share.

    The images left are cut into slices of ``shard_size`` in gallery order; rank r encodes
    slices r, r + world_size, ... and writes each as one shard.

    Args:
        model (nn.Module): a retriever with ``encode_images`` and ``data_preprocessor``.
        cfg (Config): its config (the test pipeline reads the images).
        items (Sequence[InputItem]): :func:`gallery_items`.
        out (str): the index folder.
        config_name (str): the config's file name (part of the fingerprint).
        barrier (Callable): synchronises the ranks (mmengine.dist.barrier when distributed).

    Returns:
        dict: ``encoded`` (images this call encoded), ``done_before`` (found in shards),
        ``unreadable`` (this call skipped).

    Raises:
        IndexMismatchError: ``out`` holds a build of another model.
    """
    fingerprint = model_fingerprint(model, config_name)
    _check_build_state(out, fingerprint, config_name, rank, barrier)
    done = set()
    for shard in read_shards(out):
        done.update(shard['paths'])
        done.update(u['path'] for u in shard['unreadable'])
    barrier()  # every rank has read the same shards before any writes a new one
    left = [item for item in items if item.path not in done]
    slices = [left[i:i + shard_size] for i in range(0, len(left), shard_size)]
    mine = slices[rank::world_size]
    pipeline = build_image_pipeline(cfg)
    from mmengine.dataset import pseudo_collate
    progress = None
    if show_progress and rank == 0:
        from mmengine.utils import ProgressBar
        progress = ProgressBar(sum(len(s) for s in mine), file=sys.stderr)
    encoded = skipped = 0
    for part in mine:
        errors: List[dict] = []
        paths, embeddings = [], []
        for batch_items, data in read_batches(part, pipeline, pseudo_collate, batch_size,
                                              errors=errors):
            data = model.data_preprocessor(data, False)
            embeddings.append(model.encode_images(data['inputs'])[0].float().cpu().numpy())
            paths += [item.path for item in batch_items]
            if progress is not None:
                for _ in batch_items:
                    progress.update()
        unreadable = [dict(path=e['image_path'], error=e['error']) for e in errors]
        for bad in unreadable:
            print(f'warning: skipped unreadable image: {bad["error"]}', file=sys.stderr)
            if progress is not None:
                progress.update()
        dim = embeddings[0].shape[1] if embeddings else 0
        _write_shard(out, paths, np.concatenate(embeddings) if embeddings
                     else np.zeros((0, dim), np.float32), unreadable)
        encoded += len(paths)
        skipped += len(unreadable)
    if progress is not None:
        sys.stderr.write('\n')
    return dict(encoded=encoded, done_before=len(items) - len(left), unreadable=skipped)


def merge_gallery(out: str, items: Sequence[InputItem], *, cfg: Any, config_name: str,
                  weights: Optional[str], index_type: str = 'flat',
                  **index_kwargs) -> GalleryIndex:
    """Merge the shards of ``out`` into its index (the images of ``items`` in their order),
    save ``index.faiss``, ``meta.json`` and the config, and return the index.

    Raises:
        InputError: some image of ``items`` is in no shard (the build has not finished).
    """
    with open(osp.join(out, BUILD_FILE)) as f:
        state = json.load(f)
    found: Dict[str, np.ndarray] = {}
    unreadable: Dict[str, str] = {}
    for shard in read_shards(out):
        found.update(zip(shard['paths'], shard['embeddings']))
        unreadable.update((u['path'], u['error']) for u in shard['unreadable'])
    missing = [i.path for i in items if i.path not in found and i.path not in unreadable]
    if missing:
        raise InputError(f'{out}: {len(missing)} images not encoded yet (first: {missing[0]}); '
                         'run the build again to finish it')
    paths = [i.path for i in items if i.path in found]
    bad = [dict(path=i.path, error=unreadable[i.path]) for i in items if i.path in unreadable]
    if not paths:
        raise InputError(f'{out}: no readable image in the gallery ({len(bad)} unreadable)')
    embeddings = np.stack([found[p] for p in paths])
    metadata = dict(fingerprint=state['fingerprint'], config_name=config_name,
                    weights=osp.abspath(weights) if weights else None, unreadable=bad)
    index = GalleryIndex(dim=embeddings.shape[1], index_type=index_type, metadata=metadata,
                         **index_kwargs)
    index.add(embeddings, paths)
    index.save(out)
    cfg.dump(osp.join(out, CONFIG_FILE))
    return index
