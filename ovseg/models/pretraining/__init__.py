"""CLIP pretraining on image-caption data (SynthWorld CLIP).

``ContrastiveCLIP`` trains an open_clip architecture with ``open_clip.ClipLoss``;
``ExportCLIPHook`` writes the result as an open_clip checkpoint (``work_dir/synthclip.pt``)
that other configs name as ``pretrained``.
"""
from .contrastive_clip import ContrastiveCLIP
from .export import ExportCLIPHook, save_clip_checkpoint

__all__ = ['ContrastiveCLIP', 'ExportCLIPHook', 'save_clip_checkpoint']
