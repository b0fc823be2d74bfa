"""Generate a SynthWorld copy on disk: render every image (in worker processes) and write files.

Image ``index`` of ``split`` is rendered from its own generator, seeded by
``(seed, split, index)``, so the output bytes depend only on the arguments, never on the number
of workers or on scheduling. Layout under ``out_dir``::

    img_dir/{train,val}/NNNNNN.png      RGB images, (S, S, 3) uint8
    ann_dir/{train,val}/NNNNNN.png      label maps, (S, S) uint8, 255 ignore
    annotations/{instances,attributes,text,captions}_{train,val}.json
    img_dir/closeup/NNNNNN.png          close-ups (a window around one object of a scene, at the
                                        scene's resolution: W x W, W < S), captions only
    annotations/captions_closeup.json
    meta.json                           the generation settings

The close-up split is image-caption data of the kind web alt-text gives CLIP (one salient object,
described; :func:`.render.render_closeup`): any category may appear in it, unseen ones included,
because the open-vocabulary split concerns dense labels and close-ups have none (no label map,
box or attribute is written).

Examples:
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     stats = generate(root, num_train=2, num_val=1, seed=0, workers=1, log=None,
    ...                      config=SceneConfig(image_size=64))
    >>> stats['train']['images'], stats['val']['images']
    (2, 1)
"""
import contextlib
import json
import multiprocessing
import os
import os.path as osp
import shutil
from typing import Callable, Optional

import numpy as np

from ...utils import OBJECT_WINDOW_MAX_SHIFT, OBJECT_WINDOW_SCALE_RANGE
from .render import SceneConfig, render_closeup, render_scene
from .writer import SPLITS, save_caption_scene, save_scene, write_captions, write_split

OUTPUTS = ('img_dir', 'ann_dir', 'annotations', 'meta.json', 'contact_sheet.png')
FORMAT_VERSION = 2  # 2: close-ups are windows of full scenes (1: one shape filling the frame)
CLOSEUP_SPLIT = 'closeup'
_STREAMS = SPLITS + (CLOSEUP_SPLIT,)  # one random stream per split


def scene_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator that renders image ``index`` of ``split``."""
    return np.random.default_rng(np.random.SeedSequence([seed, _STREAMS.index(split), index]))


def _render_one(job: tuple) -> dict:
    out_dir, split, index, seed, config = job
    rng = scene_rng(seed, split, index)
    render, save = ((render_closeup, save_caption_scene) if split == CLOSEUP_SPLIT
                    else (render_scene, save_scene))
    return save(render(rng, config), out_dir=out_dir, split=split, name=f'{index:06d}')


def prepare_output(out_dir: str, *, overwrite: bool) -> None:
    """Create ``out_dir``; refuse a non-empty one unless ``overwrite``.

    With ``overwrite`` only SynthWorld's own outputs (:data:`OUTPUTS`) are removed.

    Raises:
        FileExistsError: If ``out_dir`` is not empty and ``overwrite`` is False.
    """
    if osp.isdir(out_dir) and os.listdir(out_dir):
        if not overwrite:
            raise FileExistsError(f'output folder {out_dir} is not empty; pass --overwrite '
                                  '(overwrite=True) to replace its SynthWorld files')
        for name in OUTPUTS:
            path = osp.join(out_dir, name)
            if osp.isdir(path):
                shutil.rmtree(path)
            elif osp.exists(path):
                os.remove(path)
    for split in SPLITS:
        for folder in ('img_dir', 'ann_dir'):
            os.makedirs(osp.join(out_dir, folder, split), exist_ok=True)


def generate(out_dir: str, *, num_train: int, num_val: int, seed: int,
             config: SceneConfig = SceneConfig(), num_closeup: int = 0, workers: int = 2,
             overwrite: bool = False, log: Optional[Callable[[str], None]] = print) -> dict:
    """Render and write a SynthWorld copy.

    Args:
        out_dir (str): Dataset root to create.
        num_train (int): Training images (at least 1).
        num_val (int): Validation images (at least 1).
        seed (int): Non-negative seed; same seed, same bytes.
        config (SceneConfig): Image size and object/word counts. Defaults to SceneConfig().
        num_closeup (int): Close-up caption images (:func:`.render.render_closeup`), for
            CLIP pretraining. Defaults to 0.
        workers (int): Rendering processes; 1 renders in this process. Defaults to 2.
        overwrite (bool): Replace SynthWorld files in a non-empty ``out_dir``.
            Defaults to False.
        log (callable, optional): Progress printer; None is silent. Defaults to print.

    Returns:
        dict: Per split, the counts from :func:`.writer.write_split` (``write_captions`` for
        the close-ups).

    Raises:
        ValueError: On zero train or val images, negative ``num_closeup`` or seed, or fewer
            than one worker.
        FileExistsError: See :func:`prepare_output`.
    """
    if num_train < 1 or num_val < 1 or num_closeup < 0:
        raise ValueError(f'need at least one image per split and num_closeup >= 0, got '
                         f'num_train={num_train}, num_val={num_val}, num_closeup={num_closeup}')
    if seed < 0 or workers < 1:
        raise ValueError(f'seed must be >= 0 and workers >= 1, got seed={seed}, '
                         f'workers={workers}')
    log = log or (lambda message: None)
    prepare_output(out_dir, overwrite=overwrite)
    settings = dict(seed=seed, num_train=num_train, num_val=num_val,
                    image_size=config.image_size, min_objects=config.min_objects,
                    max_objects=config.max_objects, max_words=config.max_words,
                    version=FORMAT_VERSION)
    if num_closeup:
        settings.update(num_closeup=num_closeup,
                        closeup_scale_range=list(OBJECT_WINDOW_SCALE_RANGE),
                        closeup_max_shift=OBJECT_WINDOW_MAX_SHIFT)
        os.makedirs(osp.join(out_dir, 'img_dir', CLOSEUP_SPLIT), exist_ok=True)
    stats = {}
    with multiprocessing.Pool(workers) if workers > 1 else contextlib.nullcontext() as pool:
        for split, count in zip(_STREAMS, (num_train, num_val, num_closeup)):
            if not count:
                continue
            jobs = [(out_dir, split, i, seed, config) for i in range(count)]
            results = pool.imap(_render_one, jobs, chunksize=8) if pool else map(_render_one, jobs)
            records, step = [], max(1, count // 10)
            for record in results:
                records.append(record)
                if len(records) % step == 0 or len(records) == count:
                    log(f'[synthworld] {split}: {len(records)}/{count} images')
            write = write_captions if split == CLOSEUP_SPLIT else write_split
            stats[split] = write(records, out_dir=out_dir, split=split, info=settings)
            log(f'[synthworld] {split}: wrote {stats[split]}')
    with open(osp.join(out_dir, 'meta.json'), 'w', encoding='utf-8') as f:
        json.dump(settings, f, sort_keys=True, indent=1)
        f.write('\n')
    return stats
