"""Both towers of one open_clip architecture for models that own them (CLIP-Attr,
SynthWorld CLIP pretraining, OvarNet): built randomly initialised, loaded from one read."""
from typing import Optional, Tuple

from torch import nn

from .loading import (build_clip_tower, load_clip_weights, read_clip_checkpoint,
                      resolve_pretrained, select_tower)
from .text_encoder import CLIPTextEncoder


def build_clip_towers(model_name: str, *, freeze_text: bool = False,
                      image_tower: bool = True) -> Tuple[Optional[nn.Module], CLIPTextEncoder]:
    """Randomly initialised image tower and text encoder of ``model_name``.

    Args:
        model_name (str): open_clip architecture.
        freeze_text (bool): ``CLIPTextEncoder(freeze=...)``. Defaults to False.
        image_tower (bool): build the image tower (open_clip's ``visual``); False for models
            whose image tower is a backbone wrapper (``CLIPResNet``). Defaults to True.

    Returns:
        tuple: the image tower (``None`` without ``image_tower``) and the text encoder, whose
        parameter names are open_clip ``CLIP``'s (``visual.*`` without the prefix, text keys
        as they are), so :func:`load_clip_towers` loads them without renaming.

    Examples:
        >>> visual, text = build_clip_towers('ovseg-tiny-rn')
        >>> type(visual).__name__, text.embed_dim
        ('ModifiedResNet', 32)
    """
    visual = build_clip_tower(model_name, 'visual') if image_tower else None
    return visual, CLIPTextEncoder(model_name=model_name, freeze=freeze_text)


def load_clip_towers(model_name: str, pretrained: str, *, visual: Optional[nn.Module] = None,
                     text: Optional[nn.Module] = None, cache_dir: Optional[str] = None) -> str:
    """Strictly load the image and / or text tower from one CLIP checkpoint, read once.

    Args:
        model_name (str): open_clip architecture (to resolve tags and ovseg weight names).
        pretrained (str): file, open_clip tag or ovseg weights name
            (:func:`resolve_pretrained`).
        visual (nn.Module, optional): receives the ``visual.*`` keys. Defaults to None.
        text (nn.Module, optional): receives the text keys. Defaults to None.
        cache_dir (str, optional): download cache for tags. Defaults to None.

    Returns:
        str: the file read.

    Raises:
        CheckpointMismatchError: a tower's keys or shapes do not fit (named by key).
    """
    path = resolve_pretrained(model_name, pretrained, cache_dir=cache_dir)
    state_dict = read_clip_checkpoint(path)
    for module, tower in ((visual, 'visual'), (text, 'text')):
        if module is not None:
            load_clip_weights(module, select_tower(state_dict, tower), source=path)
    return path
