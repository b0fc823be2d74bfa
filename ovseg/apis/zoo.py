"""The model zoo: short names for the models ovseg can run, each a config plus its weights.

Like open_clip's ``list_pretrained()`` and mmdet's metafiles, but a plain list: the SynthWorld
models that the README recipes and ``make quickstart`` train (weights: the registered weights
name of :mod:`ovseg.utils.weights` that the command's ``PublishWeightsHook`` writes), and the configs of the original projects' released checkpoints
(weights: the converted file the ``command`` writes). ``weights=None`` means the config's own
``pretrained`` / ``init_cfg`` weights (``init_weights()``, as ``tools/test.py CONFIG``).

Adding a model is one call::

    add_model('my-denseclip', task='semantic', config='configs/denseclip/x.py',
              weights='my_denseclip.pth', description='...', command='python ...')
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ovseg.utils.errors import InputError
from ovseg.utils.weights import is_weights_name, resolve_weights

#: The repository root (configs are named relative to it).
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASKS = ('semantic', 'instance', 'detection', 'attribute')


@dataclass(frozen=True)
class ModelInfo:
    """One zoo entry.

    Args:
        name (str): short name (``OVSegInferencer(name)``).
        task (str): ``'semantic'`` (:class:`~ovseg.apis.OVSegInferencer`), ``'instance'`` or
            ``'detection'`` (:class:`~ovseg.apis.OVDetInferencer`), ``'attribute'``
            (:class:`~ovseg.apis.OVAttrInferencer`).
        config (str): config file, relative to the repository root.
        weights (str, optional): checkpoint path (relative paths: to the working directory,
            then the repository root) or a registered weights name; None: the config's
            ``pretrained`` / ``init_cfg`` weights.
        description (str): one line.
        command (str): the command that writes the weights (training or conversion).
    """
    name: str
    task: str
    config: str
    weights: Optional[str]
    description: str
    command: str


class UnknownModelError(InputError, KeyError):
    """A model name that is neither a zoo entry nor a config file; lists the known names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


_ZOO: Dict[str, ModelInfo] = {}


def add_model(name: str, *, task: str, config: str, weights: Optional[str], description: str,
              command: str) -> ModelInfo:
    """Register a zoo entry (a new name; re-registering raises ``KeyError``)."""
    if name in _ZOO:
        raise KeyError(f'model {name!r} is already in the zoo')
    if task not in TASKS:
        raise ValueError(f'task must be one of {TASKS}, not {task!r}')
    _ZOO[name] = ModelInfo(name, task, config, weights, description, command)
    return _ZOO[name]


def list_models(task: Optional[str] = None) -> List[ModelInfo]:
    """The zoo entries (of ``task`` when given), sorted by name."""
    return [_ZOO[n] for n in sorted(_ZOO) if task is None or _ZOO[n].task == task]


def get_model(name: str) -> ModelInfo:
    """The entry called ``name``.

    Raises:
        UnknownModelError: listing the known names.
    """
    if name not in _ZOO:
        raise UnknownModelError(f'unknown model {name!r}: not a config file nor one of the '
                                f'zoo models {sorted(_ZOO)} (ovseg.apis.list_models())')
    return _ZOO[name]


def _weights_file(info: ModelInfo) -> str:
    if is_weights_name(info.weights):
        return resolve_weights(info.weights)  # MissingWeightsError names the command
    for path in (info.weights, osp.join(REPO_ROOT, info.weights)):
        if osp.isfile(path):
            return path
    raise InputError(f'the weights of model {info.name!r} ({info.weights}) are missing: run '
                     f'`{info.command}`')


def model_task(model: str) -> str:
    """The task of a zoo name (its entry's) or of a config file: ``'attribute'`` for a model
    that names the attributes of given boxes (it has ``predict_boxes``: CLIP-Attr), else
    ``'semantic'`` (configs do not say whether they detect; the demo segments).

    Raises:
        UnknownModelError: ``model`` is neither a file nor a zoo name.
    """
    if not osp.isfile(model):
        return get_model(model).task
    import ovseg.models  # noqa: F401  (registers the heads)
    from mmengine.config import Config
    from mmengine.registry import MODELS
    cls = MODELS.get(Config.fromfile(model).model.get('type', ''))
    return 'attribute' if cls is not None and hasattr(cls, 'predict_boxes') else 'semantic'


def resolve_model(model: str, weights: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """(config file, weights file or None) of a zoo name or a config path.

    Args:
        model (str): a zoo name or a config file.
        weights (str, optional): overrides the entry's weights (a path or weights name).

    Raises:
        UnknownModelError: ``model`` is neither a file nor a zoo name.
        InputError: the entry's weights are missing (the message gives the command).
    """
    if weights is not None:
        weights = resolve_weights(weights)
    if osp.isfile(model):
        return model, weights
    info = get_model(model)
    config = info.config if osp.isabs(info.config) else osp.join(REPO_ROOT, info.config)
    if weights is None and info.weights is not None:
        weights = _weights_file(info)
    return config, weights


_TRAIN = 'python tools/train.py '
_DENSECLIP = 'configs/denseclip/denseclip_synthclip-{}_fpn_1xb8-1k_synthworld-128x128.py'
_OVSEG = 'configs/mask_adapted/ovseg_{}_synthclip-vit-s_synthworld-160.py'
_PROPOSALS = 'configs/proposals/{}_r18-w16_1xb8-1k_synthworld-128x128.py'
for _arch in ('rn-s', 'vit-s'):
    add_model(f'synthworld-denseclip-{_arch}', task='semantic', config=_DENSECLIP.format(_arch),
              weights=f'synthworld-denseclip-{_arch}',
              description=f'DenseCLIP on the SynthWorld {_arch.upper()} CLIP, 21 classes (any '
                          'vocabulary through its score map)',
              command=f'{_TRAIN}{_DENSECLIP.format(_arch)}')
add_model('synthworld-quickstart-denseclip-rn-s', task='semantic',
          config=_DENSECLIP.format('rn-s').replace('1k', '500'),
          weights='synthworld-quickstart-denseclip-rn-s',
          description='DenseCLIP on the SynthWorld RN CLIP, 500 iterations (the web demo\'s '
                      'model; any vocabulary through its score map)', command='make quickstart')
for _stage1 in ('pmp', 'mask2former-ov'):
    _cfg = _PROPOSALS.format(_stage1)
    add_model(f'synthworld-{_stage1}-r18', task='semantic', config=_cfg,
              weights=f'synthworld-{_stage1}-r18',
              description=f'{_stage1} proposals classified by the SynthWorld ViT CLIP text tower '
                          '(stage 1 alone)', command=f'{_TRAIN}{_cfg}')
    _two = _OVSEG.format(_stage1.replace('pmp', 'pmp-r18').replace('-ov', '-ov-r18'))
    add_model(f'synthworld-ovseg-{_stage1}-r18-vit-s', task='semantic', config=_two,
              weights=None, description=f'two-stage OVSeg: {_stage1} proposals + SynthWorld ViT '
              'CLIP crops (stage-1 and CLIP weights from the config)',
              command=f'{_TRAIN}{_cfg} && {_TRAIN}configs/synthworld/'
                      'synthclip_vit-s_synthworld-regions-96.py')
for _arch, _file, _size in (('r50', 'denseclip_fpn_res50.pth', '512x512'),
                            ('r101', 'denseclip_fpn_res101.pth', '512x512'),
                            ('vit-b16', 'denseclip_fpn_vit-b.pth', '640x640')):
    _cfg = f'configs/denseclip/denseclip_{_arch}-clip_fpn_8xb4-80k_ade20k-{_size}.py'
    add_model(f'denseclip-{_arch}-ade20k', task='semantic', config=_cfg,
              weights=f'denseclip_{_arch}_ade20k.pth',
              description=f"DenseCLIP {_arch}, the original's ADE20K-150 release, converted",
              command=f'python tools/convert/denseclip.py {_file} denseclip_{_arch}_ade20k.pth '
                      f'--config {_cfg}')
for _kind, _task in (('retinanet', 'detection'), ('mask-rcnn', 'instance')):
    _cfg = f'configs/denseclip/denseclip-{_kind}_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py'
    add_model(f'synthworld-denseclip-{_kind}-vit-s', task=_task, config=_cfg,
              weights=f'synthworld-denseclip-{_kind}-vit-s',
              description=f'DenseCLIP {_kind} on the SynthWorld ViT CLIP, 14 things '
                          '(OVDetInferencer; a vocabulary renames its classes)',
              command=f'{_TRAIN}{_cfg}')
_ATTR = 'configs/attributes/clip-{}_synthclip-rn-s_synthworld.py'
add_model('synthworld-clip-attr-rn-s', task='attribute', config=_ATTR.format('attr'),
          weights='synthworld-clip-attr-rn-s',
          description='CLIP-Attr on the SynthWorld RN CLIP: category and attributes (with parent '
                      'types) of given boxes', command=f"{_TRAIN}{_ATTR.format('attr')}")
add_model('synthworld-clip-zero-shot-rn-s', task='attribute', config=_ATTR.format('zero-shot'),
          weights=None, description='zero-shot CLIP-Attr baseline: the SynthWorld RN CLIP with '
                                    'hand-written attribute prompts', command='make quickstart')
add_model('ovseg-sam-vit-b-clip-vit-b16-ade20k', task='semantic',
          config='configs/mask_adapted/ovseg_sam-vit-b_clip-vit-b16_ade20k-640.py', weights=None,
          description="SAM proposals + CLIP ViT-B/16 crops, zero-shot (OVSeg's mask-adapted CLIP: "
                      'convert, then pass it as the CLIP pretrained weights)',
          command='python tools/convert/ovseg2openclip.py ovseg_R101c_vitB16_ft_mpt.pth '
                  'ovseg_vit-b16.pt')
add_model('text-prompted-sam-vit-b-clip-vit-b16-ade20k', task='semantic',
          config='configs/proposals/text-prompted-sam_vit-b_clip-vit-b16_ade20k-150.py',
          weights=None, description='SAM prompted at CLIP score peaks, zero-shot (SAM checkpoint '
                                    'and OpenAI CLIP named by the config)',
          command='download sam_vit_b_01ec64.pth into checkpoints/')
