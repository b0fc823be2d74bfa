"""A held-out slice of SynthWorld's train split with its unseen things named from the captions.

Calibration of the seen-class penalty (``ovseg.models.clip.calibration``) must be tuned on
held-out data, never on val. SynthWorld's train label maps mark the unseen things 255 (their
pixels are known, their class is not), but each train image's captions list every object it
shows (``'four shapes over water and sky: a hollow red triangle, ...'``). Where the captions
of an image name exactly one unseen thing (``heart``, ``arrow``, ``moon``, ``pentagon``), all
its 255 pixels are that thing; where they name several, the 255 pixels stay ignored (which
unseen pixel is which is unknown). Text on signs is quoted in captions (``'a sign that says
"moon"'``) and is not an object: quoted text is dropped before matching. The result is a label
map with the seen classes from the ground truth and the unseen ones from captions that
``OpenVocabIoUMetric`` scores as a val map: seen, unseen and hIoU on train images.
"""
import json
import os
import os.path as osp
import re
from typing import Dict, List, Sequence, Set

import numpy as np
from PIL import Image

from ...utils.errors import InputError
from .vocab import SYNTHWORLD_SEG_CLASSES, UNSEEN_THINGS

class HeldOutIndexError(InputError, IndexError):
    """A held-out index outside the split's image listing."""


_QUOTED = re.compile(r'"[^"]*"')
_IGNORE = 255


def unseen_nouns(captions: Sequence[str]) -> Set[str]:
    """The unseen thing names that the captions of one image mention outside quotes.

    Examples:
        >>> sorted(unseen_nouns(['a red heart and a moon.', 'a sign that says "arrow".']))
        ['heart', 'moon']
    """
    words = set()
    for caption in captions:
        words |= set(re.findall(r'[a-z]+', _QUOTED.sub(' ', caption.lower())))
    return {name for name in UNSEEN_THINGS if name in words}


def write_heldout_labels(*, data_root: str, indices: Sequence[int], out_dir: str,
                         split: str = 'train',
                         captions_file: str = 'annotations/captions_{split}.json') -> Dict:
    """Write the pseudo-labelled maps of the train images at ``indices`` into ``out_dir``.

    Args:
        data_root (str): SynthWorld root (``img_dir/``, ``ann_dir/``, ``annotations/``).
        indices (Sequence[int]): positions in the sorted image listing of ``split`` (the
            order of ``SynthWorldSegDataset``).
        out_dir (str): folder for ``<stem>.png`` label maps (created).
        split (str): Defaults to ``'train'``.
        captions_file (str): COCO captions, relative to ``data_root`` (``{split}`` filled).

    Returns:
        dict: ``images`` (written), ``one_unseen`` (images whose unseen pixels got a class),
        ``ambiguous`` (several unseen names: pixels left 255), ``unnamed`` (255 pixels but
        no unseen name), ``pixels_labelled`` / ``pixels_left`` (unseen pixels).

    Raises:
        FileNotFoundError: a folder or the captions file is missing.
        HeldOutIndexError: an index is outside the listing.
    """
    img_dir = osp.join(data_root, 'img_dir', split)
    ann_dir = osp.join(data_root, 'ann_dir', split)
    captions_path = osp.join(data_root, captions_file.format(split=split))
    for path in (img_dir, ann_dir, captions_path):
        if not osp.exists(path):
            raise FileNotFoundError(f'{path} does not exist (SynthWorld root {data_root})')
    stems = sorted(osp.splitext(name)[0] for name in os.listdir(img_dir) if name.endswith('.png'))
    bad = [i for i in indices if not 0 <= i < len(stems)]
    if bad:
        raise HeldOutIndexError(f'held-out indices {bad[:5]} are outside the {len(stems)} '
                         f'{split} images of {data_root}')
    with open(captions_path, encoding='utf-8') as file:
        coco = json.load(file)
    stem_of = {image['id']: osp.splitext(image['file_name'])[0] for image in coco['images']}
    captions: Dict[str, List[str]] = {}
    for ann in coco['annotations']:
        captions.setdefault(stem_of[ann['image_id']], []).append(ann['caption'])
    os.makedirs(out_dir, exist_ok=True)
    stats = dict(images=0, one_unseen=0, ambiguous=0, unnamed=0, pixels_labelled=0,
                 pixels_left=0)
    for i in indices:
        stem = stems[i]
        labels = np.array(Image.open(osp.join(ann_dir, stem + '.png')))
        unknown = labels == _IGNORE
        names = unseen_nouns(captions.get(stem, []))
        if unknown.any():
            if len(names) == 1:
                labels[unknown] = SYNTHWORLD_SEG_CLASSES.index(names.pop())
                stats['one_unseen'] += 1
                stats['pixels_labelled'] += int(unknown.sum())
            else:
                stats['ambiguous' if names else 'unnamed'] += 1
                stats['pixels_left'] += int(unknown.sum())
        Image.fromarray(labels).save(osp.join(out_dir, stem + '.png'))
        stats['images'] += 1
    return stats


__all__ = ['HeldOutIndexError', 'unseen_nouns', 'write_heldout_labels']
