"""The one place ovseg turns a CLIP name plus ``pretrained`` into weights.

Modelled on open_clip ``factory.py`` (``load_state_dict``/``load_checkpoint``):
weights-only reading, ``state_dict`` unwrapping, ``module.`` stripping, layout
conversion by sentinel keys (:mod:`ovseg.compat.converters`) and positional-embedding
resizing; files are read by :func:`ovseg.compat.read_state_dict` (OpenAI TorchScript
archives without executing them).
"""
import math
import os
import warnings
from pathlib import Path
from typing import AbstractSet, Dict, List, Optional, Sequence, Tuple, Union

import open_clip
import torch
import torch.nn.functional as F
from open_clip import pretrained as open_clip_pretrained
from open_clip.model import _build_text_tower, _build_vision_tower
from torch import nn

from ovseg.compat import load_model_weights, read_state_dict
from ovseg.compat.converters import convert_checkpoint, register_converter
from ovseg.compat.torchscript import is_torchscript_archive
from ovseg.utils.weights import resolve_weights

MODEL_CONFIG_DIR = Path(__file__).parent / 'model_configs'
_CHECKPOINT_SUFFIXES = ('.pt', '.pth', '.bin', '.safetensors', '.ckpt')


def register_model_configs(path: Union[str, Path] = MODEL_CONFIG_DIR) -> None:
    """Make the open_clip JSON architectures in ``path`` buildable by name.

    Runs on ``import ovseg.models.clip`` for ``model_configs/`` (``ovseg-tiny-vit``,
    ``ovseg-tiny-rn``, ...); call it again after adding a JSON file there.
    """
    open_clip.add_model_config(path)


def list_clip_models() -> List[str]:
    """Architecture names accepted as ``model_name`` (open_clip's plus ovseg's).

    Pretrained tags of one architecture: ``open_clip.list_pretrained_tags_by_model(name)``.
    """
    return open_clip.list_models()


def resize_pos_embed(pos_embed: torch.Tensor, src_size: Sequence[int],
                     dst_size: Sequence[int], *, num_prefix_tokens: int = 1,
                     mode: str = 'bilinear') -> torch.Tensor:
    """Interpolate a 2-D grid of positional embeddings to another grid.

    Used for the ViT token grid and the ModifiedResNet attention-pool grid, when
    loading and at every forward whose input is not the native size
    (DenseCLIP, https://arxiv.org/abs/2112.01518, Sec. 3.2).

    Args:
        pos_embed (Tensor): (P + h*w, C), ``P`` prefix (class) tokens first.
        src_size (Sequence[int]): (h, w) of the stored grid.
        dst_size (Sequence[int]): (H, W) wanted; non-square is fine.
        num_prefix_tokens (int): tokens before the grid, kept as they are.
            Defaults to 1.
        mode (str): ``F.interpolate`` mode (``align_corners=False``).
            Defaults to ``'bilinear'``.

    Returns:
        Tensor: (P + H*W, C); ``pos_embed`` itself when the sizes are equal.
    """
    src_h, src_w = src_size
    dst_h, dst_w = dst_size
    if (src_h, src_w) == (dst_h, dst_w):
        return pos_embed
    prefix, grid = pos_embed[:num_prefix_tokens], pos_embed[num_prefix_tokens:]
    if grid.shape[0] != src_h * src_w:
        raise ValueError(f'positional embedding has {grid.shape[0]} grid tokens, '
                         f'not {src_h}x{src_w}')
    grid = grid.reshape(1, src_h, src_w, -1).permute(0, 3, 1, 2)  # (1, C, h, w)
    grid = F.interpolate(grid.float(), size=(dst_h, dst_w), mode=mode,
                         align_corners=False).to(pos_embed.dtype)
    grid = grid.permute(0, 2, 3, 1).reshape(dst_h * dst_w, -1)  # (H*W, C)
    return torch.cat([prefix, grid], dim=0)


def resize_text_pos_embed(pos_embed: torch.Tensor, length: int) -> torch.Tensor:
    """Truncate text positional embeddings (L, W) to ``length`` positions.

    Text positions are absolute, so a shorter context keeps the first ones
    (DenseCLIP truncates 77 to 13); a longer one cannot be made up.
    """
    if length > pos_embed.shape[0]:
        raise ValueError(f'cannot extend a text positional embedding of '
                         f'{pos_embed.shape[0]} positions to {length}')
    return pos_embed[:length]


#: top-level keys of open_clip's ``CLIP`` (OpenAI's names) and ``CustomTextCLIP`` (``text.``)
_OPEN_CLIP_PREFIXES = ('visual.', 'text.', 'token_embedding.', 'transformer.', 'ln_final.')
_OPEN_CLIP_KEYS = ('positional_embedding', 'text_projection', 'logit_scale', 'logit_bias',
                   'attn_mask')


def is_open_clip_state_dict(keys: AbstractSet[str]) -> bool:
    """Whether every key is an open_clip / OpenAI CLIP key (sentinel: a ``visual.`` key)."""
    return any(k.startswith('visual.') for k in keys) and all(
        k.startswith(_OPEN_CLIP_PREFIXES) or k in _OPEN_CLIP_KEYS for k in keys)


register_converter(
    name='open_clip', target='open_clip', matches=is_open_clip_state_dict,
    description="open_clip / OpenAI CLIP (state dict, TorchScript .pt, ovseg's exported CLIP)")


def read_clip_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Read CLIP weights from a file in open_clip's layout, without executing code in it.

    The file is read by :func:`ovseg.compat.read_state_dict` (OpenAI TorchScript ``.pt``,
    ``.safetensors``, or a weights-only ``torch.save`` file, with ``state_dict`` / ``model``
    unwrapped and ``module.`` stripped). Another layout registered for open_clip
    (``list_converters('open_clip')``: OVSeg's releases, SynthCLIP mmengine checkpoints) is
    converted; keys of no known layout are left for the strict load to report.

    Args:
        path (str): local file.

    Returns:
        dict[str, Tensor]: the weights, dtypes as stored.

    Raises:
        CheckpointError: the file is missing, holds no state dict, or would need code
            execution to load (refused; nothing from it ran).
    """
    return convert_checkpoint(read_state_dict(path), target='open_clip', keep_unknown=True,
                              name=os.fspath(path))


def resolve_pretrained(model_name: str, pretrained: str, *,
                       cache_dir: Optional[str] = None) -> str:
    """Local file for ``pretrained``: an ovseg weights name, a path, or an open_clip tag downloaded.

    Args:
        model_name (str): open_clip architecture, e.g. ``'RN50-quickgelu'``.
        pretrained (str): ovseg weights name (``ovseg.utils.weights.list_weights()``, read from
            the ovseg cache), file path, or open_clip tag
            (``open_clip.list_pretrained_tags_by_model``).
        cache_dir (str, optional): download cache of open_clip tags. Defaults to open_clip's.

    Raises:
        MissingWeightsError: an ovseg weights name that is not in the cache (a
            ``FileNotFoundError``; the message names the command that writes it).
        FileNotFoundError: ``pretrained`` looks like a path that does not exist.
        ValueError: unknown tag; the message lists the valid ones.
        RuntimeError: the download failed (e.g. offline).
    """
    pretrained = resolve_weights(pretrained)
    if os.path.isfile(pretrained):
        if is_torchscript_archive(pretrained):
            _warn_quick_gelu(model_name, pretrained, trained_quick_gelu=True)
        return pretrained
    tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
    if not tag_cfg:
        if os.sep in pretrained or pretrained.endswith(_CHECKPOINT_SUFFIXES):
            raise FileNotFoundError(f'CLIP checkpoint {pretrained} does not exist.')
        tags = open_clip.list_pretrained_tags_by_model(model_name)
        raise ValueError(
            f"Unknown pretrained tag '{pretrained}' for CLIP model '{model_name}'. "
            f'Valid tags: {tags if tags else "none (no released weights; pass a file path)"}.')
    _warn_quick_gelu(model_name, f"tag '{pretrained}'",
                     trained_quick_gelu=tag_cfg.get('quick_gelu', False))
    source = tag_cfg.get('url') or tag_cfg.get('hf_hub') or 'the open_clip release'
    try:
        path = open_clip_pretrained.download_pretrained(tag_cfg, cache_dir=cache_dir)
    except Exception as err:
        raise RuntimeError(
            f"Could not download the '{pretrained}' weights of CLIP model '{model_name}' "
            f'({type(err).__name__}: {err}). If this machine is offline, download '
            f"{source} elsewhere and pass pretrained='/path/to/file.pt'.") from err
    if not path:
        raise RuntimeError(f"open_clip has no download for tag '{pretrained}' of "
                           f"'{model_name}'; pass pretrained='/path/to/file.pt'.")
    return path


def _warn_quick_gelu(model_name: str, source: str, trained_quick_gelu: bool) -> None:
    model_quick_gelu = clip_model_config(model_name).get('quick_gelu', False)
    if trained_quick_gelu != model_quick_gelu:
        act = 'QuickGELU' if trained_quick_gelu else 'nn.GELU'
        hint = f" Use '{model_name}-quickgelu'." if trained_quick_gelu else ''
        warnings.warn(f"CLIP weights from {source} were trained with {act} but "
                      f"'{model_name}' uses the other activation; outputs will drift.{hint}")


def clip_model_config(model_name: str) -> dict:
    """open_clip's architecture config (``embed_dim``, ``vision_cfg``, ``text_cfg``, ...)."""
    cfg = open_clip.get_model_config(model_name)
    if cfg is None:
        raise ValueError(f"Unknown CLIP architecture '{model_name}'; "
                         f'see ovseg.models.clip.list_clip_models().')
    return cfg


def build_clip_tower(model_name: str, tower: str, *,
                     image_size: Optional[Union[int, Tuple[int, int]]] = None,
                     context_length: Optional[int] = None) -> nn.Module:
    """Randomly initialised image or text tower of an open_clip architecture.

    Uses the builders open_clip's ``CLIP`` itself calls (open_clip 3.3.0).

    Args:
        model_name (str): open_clip architecture name.
        tower (str): ``'visual'`` (ModifiedResNet / VisionTransformer) or
            ``'text'`` (TextTransformer).
        image_size (int | tuple[int, int], optional): overrides the native
            input size, hence the positional-embedding grid. Defaults to None.
        context_length (int, optional): overrides the text context length.
            Defaults to None.
    """
    cfg = clip_model_config(model_name)
    quick_gelu = cfg.get('quick_gelu', False)
    if tower == 'visual':
        vision_cfg = dict(cfg['vision_cfg'])
        if image_size is not None:
            vision_cfg['image_size'] = image_size
        return _build_vision_tower(cfg['embed_dim'], vision_cfg, quick_gelu)
    if tower == 'text':
        text_cfg = dict(cfg['text_cfg'])
        if context_length is not None:
            text_cfg['context_length'] = context_length
        return _build_text_tower(cfg['embed_dim'], text_cfg, quick_gelu)
    raise ValueError(f"tower must be 'visual' or 'text', not {tower!r}")


def select_tower(state_dict: Dict[str, torch.Tensor], tower: str) -> Dict[str, torch.Tensor]:
    """Keys of one tower from a CLIP or CustomTextCLIP state dict.

    ``'visual'``: ``visual.*`` without the prefix. ``'text'``: everything else
    (``token_embedding``, ``transformer.*``, ..., ``logit_scale``) but a SigLIP
    ``logit_bias``, with a CustomTextCLIP ``text.`` prefix removed.
    """
    if tower == 'visual':
        return {k[len('visual.'):]: v for k, v in state_dict.items() if k.startswith('visual.')}
    return {(k[len('text.'):] if k.startswith('text.') else k): v
            for k, v in state_dict.items() if not k.startswith('visual.') and k != 'logit_bias'}


def _resize_pos_embeds(module: nn.Module, state_dict: Dict[str, torch.Tensor]) -> None:
    """Fit every ``*positional_embedding`` in ``state_dict`` to ``module``'s shape."""
    own = dict(module.named_parameters())
    for key, value in state_dict.items():
        if not key.endswith('positional_embedding') or key not in own:
            continue
        target = own[key]
        if target.shape == value.shape or target.shape[1:] != value.shape[1:]:
            continue
        owner = module.get_submodule(key.rpartition('.')[0])
        if hasattr(owner, 'token_embedding'):
            state_dict[key] = resize_text_pos_embed(value, target.shape[0])
            continue
        src_side = math.isqrt(value.shape[0] - 1)
        dst_side = math.isqrt(target.shape[0] - 1)
        dst_size = getattr(owner, 'grid_size', (dst_side, dst_side))
        state_dict[key] = resize_pos_embed(value, (src_side, src_side), dst_size)


def load_clip_weights(module: nn.Module, state_dict: Dict[str, torch.Tensor], *,
                      source: str = 'checkpoint') -> None:
    """Strictly load ``state_dict`` into ``module``, resizing positional embeddings.

    The positional embeddings are fitted to the module first; the key check and the load are
    :func:`ovseg.compat.load_model_weights` (the one strict loader).

    Args:
        module (nn.Module): a CLIP model, or one tower with matching key layout.
        state_dict (dict[str, Tensor]): weights; cast to the module's dtypes.
        source (str): file name used in the error message. Defaults to ``'checkpoint'``.

    Raises:
        CheckpointMismatchError: missing, unexpected or wrongly shaped keys, listed by name.
    """
    state_dict = dict(state_dict)
    _resize_pos_embeds(module, state_dict)
    load_model_weights(module, state_dict, name=source, model_desc=type(module).__name__)


def load_clip_tower(module: nn.Module, model_name: str, pretrained: str, tower: str, *,
                    cache_dir: Optional[str] = None) -> None:
    """Load one tower's weights from a file or tag (see :func:`resolve_pretrained`)."""
    path = resolve_pretrained(model_name, pretrained, cache_dir=cache_dir)
    load_clip_weights(module, select_tower(read_clip_checkpoint(path), tower), source=path)


def create_clip(model_name: str, pretrained: Optional[str] = None, *,
                cache_dir: Optional[str] = None) -> nn.Module:
    """Build an open_clip model and load its weights through the safe reader.

    Args:
        model_name (str): open_clip architecture (:func:`list_clip_models`).
        pretrained (str, optional): None (random), a local file, or an open_clip
            tag. Defaults to None.
        cache_dir (str, optional): download cache for tags. Defaults to None.

    Returns:
        open_clip.CLIP | open_clip.CustomTextCLIP: in eval mode.

    Examples:
        >>> import torch
        >>> import ovseg.models.clip
        >>> model = create_clip('ovseg-tiny-vit')
        >>> model.encode_image(torch.rand(1, 3, 32, 32)).shape
        torch.Size([1, 32])
    """
    clip_model_config(model_name)
    path = resolve_pretrained(model_name, pretrained, cache_dir=cache_dir) if pretrained else None
    model = open_clip.create_model(model_name, pretrained=None)
    if path is not None:
        state_dict = read_clip_checkpoint(path)
        if isinstance(model, open_clip.CustomTextCLIP):
            state_dict = open_clip.model.convert_to_custom_text_state_dict(state_dict)
        load_clip_weights(model, state_dict, source=path)
    return model.eval()
