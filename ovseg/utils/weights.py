"""Weights by name: the one registry of the weights ovseg trains itself, kept in a cache folder.

A config names weights as ``pretrained='synthworld-rn-s'`` instead of a ``work_dirs/...pt`` path,
the way open_clip names its releases by tag (``open_clip.list_pretrained()``). Each name maps to
``<cache>/<name>.pt``; the training run that produces the weights writes that file
(``ExportCLIPHook(name=...)`` for CLIPs, ``PublishWeightsHook(name=...)`` for trained heads,
both through :func:`register_weights`), and :func:`resolve_weights` turns the
name back into the file, or raises :class:`MissingWeightsError` with the command to run.

The cache folder is ``$OVSEG_CACHE`` when set, else ``~/.cache/ovseg``. Paths keep working
everywhere a name works: a string that is not a registered name is returned unchanged.

A plain dict, not an mmengine ``Registry``: these entries are files, not classes to build.
"""
import os
import os.path as osp
import shutil
from dataclasses import dataclass
from typing import Dict, List

from .errors import InputError

CACHE_ENV = 'OVSEG_CACHE'
DEFAULT_CACHE = osp.join('~', '.cache', 'ovseg')

_TRAIN = 'python tools/train.py configs/'


@dataclass(frozen=True)
class WeightsEntry:
    """One registered name: what the weights are and the command that writes them."""
    name: str
    description: str
    command: str


_WEIGHTS: Dict[str, WeightsEntry] = {}


def add_weights(name: str, *, description: str, command: str) -> WeightsEntry:
    """Register ``name`` (a new entry; re-registering a name raises ``KeyError``)."""
    if name in _WEIGHTS:
        raise KeyError(f'weights {name!r} are already registered')
    if os.sep in name or name.endswith('.pt'):
        raise ValueError(f'weights name {name!r} must not look like a path')
    _WEIGHTS[name] = WeightsEntry(name, description, command)
    return _WEIGHTS[name]


for _name, _description, _command in (
        ('synthworld-rn-s', 'SynthWorld ResNet CLIP on object names (the quickstart CLIP)',
         'make quickstart'),
        ('synthworld-quickstart-denseclip-rn-s', 'DenseCLIP segmentor (decode head for the 21 '
         'SynthWorld classes, any vocabulary by its score map) on synthworld-rn-s, 500 '
         'iterations: the model of `python demo/app.py`', 'make quickstart'),
        ('synthworld-rn-s-regions', 'SynthWorld ResNet CLIP on object names + masked regions',
         _TRAIN + 'synthworld/synthclip_rn-s_synthworld-regions-96.py'),
        ('synthworld-rn-s-ft-regions', 'synthworld-rn-s fine-tuned 120 iterations on object '
         'names + masked regions (stage 2 of the two-stage heads in crop mode)',
         _TRAIN + 'synthworld/synthclip_rn-s-ft_synthworld-regions-96.py'),
        ('synthworld-rn-s-words', 'synthworld-rn-s fine-tuned on object names + sign word '
         'crops (the word-pair recipe of issue 16)',
         _TRAIN + 'synthworld/synthclip_rn-s_synthworld-words-96.py'),
        ('synthworld-rn-s-words-cls', 'synthworld-rn-s fine-tuned on sign word crops with a '
         'dictionary-word classifier beside the CLIP loss (issue 16, second recipe)',
         _TRAIN + 'synthworld/synthclip_rn-s_synthworld-words-cls-96.py'),
        ('synthworld-rn-s-words-rendered', 'synthworld-rn-s fine-tuned on freshly rendered sign '
         'words with a dictionary-word classifier beside the CLIP loss (issue 16, third recipe)',
         _TRAIN + 'synthworld/synthclip_rn-s_synthworld-words-rendered-96.py'),
        ('synthworld-rn-s-attributes', 'synthworld-rn-s fine-tuned on object names + '
         'attribute phrases of object crops and close-ups, with one-attribute hard negatives '
         '(issue 15)', _TRAIN + 'synthworld/synthclip_rn-s-ft_synthworld-attributes-96.py'),
        ('synthworld-rn-s-captions', 'SynthWorld ResNet CLIP on whole-image captions',
         _TRAIN + 'synthworld/synthclip_rn-s_synthworld-captions-96.py'),
        ('synthworld-vit-s', 'SynthWorld ViT CLIP on object names, distilled from synthworld-rn-s',
         _TRAIN + 'synthworld/synthclip_vit-s_synthworld-96.py'),
        ('synthworld-vit-s-regions', 'SynthWorld ViT CLIP on object names + masked regions, '
         'distilled from synthworld-rn-s-regions',
         _TRAIN + 'synthworld/synthclip_vit-s_synthworld-regions-96.py'),
        ('synthworld-vit-s-mask-adapted-ft', 'synthworld-vit-s-regions, image tower fine-tuned '
         'on mined region-noun pairs (mask-adapted CLIP, full FT)',
         _TRAIN + 'mask_adapted/mask-adapted-clip-ft_synthclip-vit-s_1xb64-5e_'
         'synthworld-captions-96.py'),
        ('synthworld-vit-s-mask-adapted-mpt', 'synthworld-vit-s-regions with mask prompts '
         'tuned on mined region-noun pairs',
         _TRAIN + 'mask_adapted/mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_'
         'synthworld-captions-96.py'),
        ('synthworld-vit-s-mask-adapted-ft-mpt', 'synthworld-vit-s-mask-adapted-ft with mask '
         'prompts tuned on top', _TRAIN + 'mask_adapted/mask-adapted-clip-ft-mpt_synthclip-'
         'vit-s_1xb64-5e_synthworld-captions-96.py'),
        # trained heads (PublishWeightsHook(name=...) of each config)
        ('synthworld-denseclip-rn-s', 'DenseCLIP segmentor on synthworld-rn-s, 1k iterations',
         _TRAIN + 'denseclip/denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py'),
        ('synthworld-denseclip-vit-s', 'DenseCLIP segmentor on synthworld-vit-s, 1k iterations',
         _TRAIN + 'denseclip/denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py'),
        ('synthworld-pmp-r18', 'PMP proposal segmentor (stage 1 of the two-stage OVSeg '
         'configs), 17 seen classes', _TRAIN + 'proposals/pmp_r18-w16_1xb8-1k_synthworld-'
         '128x128.py'),
        ('synthworld-mask2former-ov-r18', 'open-vocabulary Mask2Former proposal segmentor '
         '(stage 1 of the two-stage OVSeg configs), 17 seen classes',
         _TRAIN + 'proposals/mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py'),
        ('synthworld-mask2former-ov-r18-rn-s', 'open-vocabulary Mask2Former proposal '
         'segmentor on the text tower of synthworld-rn-s-ft-regions (stage 1 of the two-stage RN '
         'configs), 17 seen classes, 300 iterations',
         _TRAIN + 'proposals/mask2former-ov_r18-w16_synthclip-rn-s-ft_1xb8-300_synthworld-'
         '128x128.py'),
        ('synthworld-pmp-r18-rn-s', 'PMP proposal segmentor on the text tower of '
         'synthworld-rn-s-ft-regions (stage 1 of the two-stage RN PMP config), 17 seen classes, '
         '300 iterations',
         _TRAIN + 'proposals/pmp_r18-w16_synthclip-rn-s-ft_1xb8-300_synthworld-128x128.py'),
        ('synthworld-clip-attr-rn-s', 'CLIP-Attr (attribute and category prompts, '
         'frozen image tower) on synthworld-rn-s, 600 iterations',
         _TRAIN + 'attributes/clip-attr_synthclip-rn-s_synthworld.py'),
        ('synthworld-clip-attr-rn-s-attributes', 'CLIP-Attr on synthworld-rn-s-attributes (the '
         'SynthWorld CLIP that has read attribute words), 600 iterations',
         _TRAIN + 'attributes/clip-attr_synthclip-rn-s-attributes_synthworld.py'),
        ('synthworld-denseclip-retinanet-vit-s', 'DenseCLIP RetinaNet on synthworld-vit-s',
         _TRAIN + 'denseclip/denseclip-retinanet_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py'),
        ('synthworld-denseclip-mask-rcnn-vit-s', 'DenseCLIP Mask R-CNN on synthworld-vit-s',
         _TRAIN + 'denseclip/denseclip-mask-rcnn_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py')):
    add_weights(_name, description=_description, command=_command)


class MissingWeightsError(InputError, FileNotFoundError):
    """A registered weights name whose file is not in the cache (the message says how to
    produce it). A ``FileNotFoundError`` too, as a missing weights path is."""


def list_weights() -> List[str]:
    """The registered names (``ovseg.utils.weights.weights_entry(name).command`` writes each)."""
    return sorted(_WEIGHTS)


def weights_entry(name: str) -> WeightsEntry:
    """The entry of a registered name; ``KeyError`` listing the names otherwise."""
    if name not in _WEIGHTS:
        raise KeyError(f'unknown weights name {name!r}; registered: {list_weights()}')
    return _WEIGHTS[name]


def is_weights_name(value: object) -> bool:
    """Whether ``value`` is a registered weights name."""
    return isinstance(value, str) and value in _WEIGHTS


def cache_dir() -> str:
    """The weights cache folder: ``$OVSEG_CACHE``, else ``~/.cache/ovseg`` (not created)."""
    return osp.expanduser(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def weights_path(name: str) -> str:
    """Where the weights of registered ``name`` live in the cache (whether or not they exist)."""
    return osp.join(cache_dir(), f'{weights_entry(name).name}.pt')


def resolve_weights(name_or_path: str) -> str:
    """The file of a registered name, or ``name_or_path`` unchanged when it is not one.

    Raises:
        MissingWeightsError: a registered name whose file is not in the cache.
    """
    if not is_weights_name(name_or_path):
        return name_or_path
    path = weights_path(name_or_path)
    if not osp.isfile(path):
        raise MissingWeightsError(
            f"weights '{name_or_path}' are not in {cache_dir()} (set {CACHE_ENV} to use another "
            f'folder): run `{weights_entry(name_or_path).command}`')
    return path


def register_weights(name: str, src: str) -> str:
    """Copy the file ``src`` into the cache as the weights of registered ``name``.

    The copy goes through a temporary file in the cache, so a reader never sees half a file.

    Returns:
        str: the cache path (:func:`weights_path`).
    """
    dst = weights_path(name)
    if osp.abspath(src) == osp.abspath(dst):
        return dst
    os.makedirs(osp.dirname(dst), exist_ok=True)
    tmp = f'{dst}.{os.getpid()}.tmp'
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    return dst
