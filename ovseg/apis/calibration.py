"""Tune the seen-class penalty of calibrated stacking on held-out train images, never on val.

Chao et al., ECCV 2016 (https://arxiv.org/abs/1605.04253) tune the calibration factor on
held-out data. :func:`calibrate` evaluates a segmentation config once per candidate
``gamma`` (the model's ``test_cfg.seen_penalty``, which every calibrated head reads) on a
held-out slice of the *train* images whose unseen things are named from their captions
(:func:`ovseg.datasets.synthworld.heldout.write_heldout_labels`), and picks the gamma of the
best harmonic mean of seen and unseen mIoU (hIoU). ``tools/calibrate.py`` is its command line.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from ..models.clip.vocabulary import Vocabulary
from ..utils.errors import InputError
from .config import build_runner


class CalibrationError(InputError, ValueError):
    """A calibration argument or config value the user can fix (held-out slice, gammas,
    the seen classes)."""


def parse_indices(text: str) -> List[int]:
    """``'1800:2000'`` (a half-open range) or ``'3,5,9'`` -> a list of image indices.

    Examples:
        >>> parse_indices('4:7'), parse_indices('1,3')
        ([4, 5, 6], [1, 3])
    """
    try:
        if ':' in text:
            start, stop = (int(part) for part in text.split(':'))
            indices = list(range(start, stop))
        else:
            indices = [int(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise CalibrationError(f'--held-out {text!r}: give START:STOP or comma-separated '
                         'indices') from None
    if not indices:
        raise CalibrationError(f'--held-out {text!r} selects no image')
    return indices


def heldout_config(cfg: Config, *, indices: Sequence[int], ann_dir: str,
                   split: str = 'train') -> Config:
    """A copy of ``cfg`` whose test set is the images ``indices`` of ``split`` with the label
    maps of ``ann_dir`` (absolute; mmengine joins only relative prefixes to the root)."""
    cfg = copy.deepcopy(cfg)
    dataset = cfg.test_dataloader.dataset
    dataset.data_prefix = dict(img_path=f'img_dir/{split}', seg_map_path=osp.abspath(ann_dir))
    dataset.indices = list(indices)
    cfg.test_dataloader.sampler = dict(type='DefaultSampler', shuffle=False)
    return cfg


def calibrate(cfg: Config, gammas: Sequence[float], *,
              checkpoint: Optional[str] = None) -> List[Dict[str, float]]:
    """Test ``cfg`` once per gamma; rows of ``gamma``, ``seen``, ``unseen``, ``hIoU``.

    Args:
        cfg (Config): a segmentation config whose test set is the held-out slice
            (:func:`heldout_config`) and whose model reads ``test_cfg.seen_penalty``; the
            seen classes are the dataset's ``seen`` flags or ``test_cfg.seen_classes``.
        gammas (Sequence[float]): candidate penalties, >= 0.
        checkpoint (str, optional): weights; None initialises the model from the config's
            ``pretrained`` parts, as ``tools/test.py`` does. Defaults to None.

    Returns:
        list[dict]: one row per gamma, in the order given.

    Raises:
        CalibrationError: neither ``test_cfg.seen_classes`` nor the test dataset's ``seen``
            flags name the seen classes, or a gamma is negative.
    """
    if any(g < 0 for g in gammas):
        raise CalibrationError(f'gammas must be >= 0, got {list(gammas)}')
    rows = []
    for gamma in gammas:
        run_cfg = copy.deepcopy(cfg)
        run_cfg.model.test_cfg.seen_penalty = float(gamma)
        run_cfg.load_from = checkpoint
        run_cfg.experiment_name = f'calibrate_gamma{gamma:g}'
        runner = build_runner(run_cfg)
        _check_seen_split(run_cfg, runner)
        if checkpoint is None:
            runner._init_model_weights()  # as tools/test.py without a checkpoint
        metrics = runner.test()
        rows.append(dict(gamma=float(gamma), seen=float(metrics['mIoU_seen']),
                         unseen=float(metrics['mIoU_unseen']), hIoU=float(metrics['hIoU'])))
    return rows


def _check_seen_split(cfg: Config, runner) -> None:
    """Raise unless the model can tell seen classes: ``test_cfg.seen_classes`` or the test
    dataset's ``seen`` flags (which the vocabulary carries to the model)."""
    if cfg.model.get('test_cfg', {}).get('seen_classes'):
        return
    metainfo = runner.test_loop.dataloader.dataset.metainfo
    if Vocabulary.from_metainfo(metainfo).seen is None:  # what the VocabularyHook hands over
        raise CalibrationError(f'{cfg.filename}: calibrated stacking needs the classes seen in '
                               "training: the test dataset's metainfo has no 'seen' flags; set "
                               'model.test_cfg.seen_classes')


def choose_gamma(rows: Sequence[Dict[str, float]]) -> float:
    """The gamma of the best hIoU (NaN counts as 0); ties go to the smaller gamma.

    Examples:
        >>> choose_gamma([dict(gamma=0., hIoU=1.), dict(gamma=2., hIoU=5.),
        ...               dict(gamma=1., hIoU=5.)])
        1.0
    """
    def key(row):
        h = row['hIoU']
        return (-(h if h == h else 0.0), row['gamma'])
    return min(rows, key=key)['gamma']


def format_rows(rows: Sequence[Dict[str, float]], chosen: float) -> str:
    """A Markdown table of the rows, the chosen gamma marked."""
    lines = ['| gamma | seen mIoU | unseen mIoU | hIoU |', '|---|---|---|---|']
    for row in rows:
        mark = ' (chosen)' if row['gamma'] == chosen else ''
        lines.append(f"| {row['gamma']:g}{mark} | {row['seen']:.1f} | {row['unseen']:.1f} | "
                     f"{row['hIoU']:.1f} |")
    return '\n'.join(lines)


__all__ = ['CalibrationError', 'calibrate', 'choose_gamma', 'format_rows', 'heldout_config', 'parse_indices']
