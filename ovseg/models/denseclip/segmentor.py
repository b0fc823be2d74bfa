"""DenseCLIP semantic segmentor on mmseg 1.x."""
import warnings
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import add_prefix
from torch import Tensor

from ..clip.calibration import calibrated_stacking, seen_class_mask
from .language_guide import LanguageGuideMixin

_PREDICT_FROM = ('decode_head', 'score_map', 'auto')


@MODELS.register_module()
class DenseCLIPSegmentor(LanguageGuideMixin, EncoderDecoder):
    """Language-guided semantic segmentation: CLIP backbone, pixel-text score map, FPN.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: Sec. 3.2
    (pixel-text score map, Eq. (4), concatenated to a backbone level, auxiliary
    pixel-text loss) and Sec. 3.3 (context-aware prompting: learnable contexts after
    ``[SOT]``, post-model vision-to-language decoder scaled by ``gamma``).

    Call graph::

        loss():    extract_feat_and_score() -> decode_head.loss()
                                            -> identity_head.loss(score / tau)
        predict(): inference() -> encode_decode() -> extract_feat_and_score()
                   -> decode_head.forward() (or score / tau) -> postprocess_result()
        extract_feat_and_score(): backbone() -> after_extract_feat() -> neck()
        after_extract_feat(): _language_guide(global, dense) -> cat(level, score)

    The vocabulary is not fixed at build time: :meth:`set_vocabulary` (called by the
    ``VocabularyHook`` with each dataset's classes) tokenises the names. The neck and the
    decode head see ``num_classes`` score channels and output ``num_classes`` logits,
    so training needs a vocabulary of exactly ``num_classes`` names. At test time a
    vocabulary of another size can be scored by the score map alone
    (``test_cfg.predict_from='score_map'`` or ``'auto'``).

    Args:
        backbone (dict): CLIP image tower with ``with_embeddings=True`` (``CLIPResNet``,
            ``CLIPViT``); its last output is ``(global (B, D), dense (B, D, h, w))``.
        text_encoder (dict): ``OVCLIPTextEncoder`` config; ``context_length`` defaults to
            ``text_length``. Keep ``freeze=True`` for a really frozen text tower.
        context_decoder (dict): :class:`ContextDecoder` config (``visual_dim`` is filled
            in from the text encoder).
        decode_head (dict): decode head config (FPNHead); ``num_classes`` fixes K.
        neck (dict, optional): neck config (FPN). Its ``in_channels`` may be omitted:
            they are filled from the backbone plus K score channels at
            ``score_concat_index``; given ones are checked. Defaults to None.
        identity_head (dict, optional): auxiliary pixel-text loss head fed with
            ``score / tau`` (:class:`IdentityHead`); losses prefixed ``aux_identity.``.
            Defaults to None.
        auxiliary_head (dict, optional): mmseg auxiliary head on the neck features.
            Defaults to None.
        context_length (int): learnable context tokens N. Defaults to 8.
        text_length (int): token positions of a prompt, contexts included (13 in
            DenseCLIP, leaving 5 for ``[SOT] name [EOT]``). Defaults to 13.
        score_concat_index (int): backbone level the score map is concatenated to
            (3 for ResNets, 2 for ViT-B/16). Defaults to 3.
        tau (float): temperature of the pixel-text logits. Defaults to 0.07.
        class_names (Sequence[str], optional): initial vocabulary. Defaults to None.
        templates (str | Sequence[str]): prompt templates each class name (synonym) is
            put into after the contexts (:func:`~ovseg.models.clip.templates.get_templates`:
            a set name such as ``'synthworld'`` or ``'vild'``, or templates with ``{}``);
            a class's prompts are averaged. Defaults to ``'name'`` (the bare name, as
            DenseCLIP).
        long_names (str): ``'warn'`` truncates names longer than fits (naming them),
            ``'error'`` raises. Defaults to ``'warn'``.
        size_divisor (int, optional): inputs are zero-padded (bottom/right) to a multiple
            of this before the backbone and the outputs cropped back. None follows the
            original DenseCLIP test path: no padding (a ViT's strided patch convolution
            drops the remainder pixels, a ResNet rounds its grids down, and the logits are
            resized to the input size), except that a side shorter than ``min_side`` is
            padded up to it (the original fails on such images). Defaults to 32.
        min_side (int): with ``size_divisor=None``, the shortest side the backbone is
            given (32: one cell of the coarsest, stride-32 level). Defaults to 32.
        train_cfg (dict, optional): mmseg train config. Defaults to None.
        test_cfg (dict, optional): mmseg test config (``mode='whole'|'slide'``,
            ``crop_size``, ``stride``) plus ``predict_from``: ``'decode_head'``
            (DenseCLIP), ``'score_map'`` (the pixel-text logits alone; any vocabulary
            size) or ``'auto'`` (decode head when K == num_classes, else score map);
            ``seen_penalty`` (float, default 0: the original method) and
            ``seen_classes`` (names; default: the dataset's ``seen`` flags, carried by
            the vocabulary): calibrated stacking
            (:func:`~ovseg.models.clip.calibration.calibrated_stacking`, Chao et al.
            2016), ``seen_penalty`` subtracted from the logits of the seen classes.
            Defaults to None (whole image, decode head).
        data_preprocessor (dict, optional): ``SegDataPreProcessor`` config. Defaults to None.
        pretrained (None): only None is accepted (``mmseg.apis.init_model`` sets it).
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    _vocabulary_hint = (' To test with another vocabulary size, predict from the pixel-text '
                        "score map: test_cfg.predict_from='score_map' (or 'auto').")

    def __init__(self, *, backbone: dict, text_encoder: dict, context_decoder: dict,
                 decode_head: dict, neck: Optional[dict] = None,
                 identity_head: Optional[dict] = None, auxiliary_head: Optional[dict] = None,
                 context_length: int = 8, text_length: int = 13,
                 score_concat_index: int = 3, tau: float = 0.07,
                 class_names: Optional[Sequence[str]] = None,
                 templates: Union[str, Sequence[str]] = 'name', long_names: str = 'warn',
                 size_divisor: Optional[int] = 32, min_side: int = 32,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 pretrained: Optional[str] = None, init_cfg: Optional[dict] = None) -> None:
        if pretrained is not None:
            raise ValueError('DenseCLIPSegmentor takes CLIP weights from backbone.pretrained '
                             'and text_encoder.pretrained, not a top-level pretrained')
        backbone = dict(backbone)
        if not backbone.get('with_embeddings', False):
            raise ValueError('DenseCLIP needs backbone.with_embeddings=True')
        num_classes = decode_head['num_classes']
        test_cfg = ConfigDict(mode='whole') if test_cfg is None else ConfigDict(test_cfg)
        self.score_concat_index = score_concat_index
        super().__init__(backbone=backbone, decode_head=decode_head, neck=None,
                         auxiliary_head=auxiliary_head, train_cfg=train_cfg,
                         test_cfg=test_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if neck is not None:
            self.neck = MODELS.build(self._neck_with_channels(neck, num_classes))
        self.identity_head = None if identity_head is None else MODELS.build(identity_head)
        self.size_divisor = size_divisor
        self.min_side = min_side
        predict_from = (self.test_cfg or {}).get('predict_from', 'decode_head')
        if predict_from not in _PREDICT_FROM:
            raise ValueError(f'test_cfg.predict_from must be one of {_PREDICT_FROM}, '
                             f'not {predict_from!r}')
        self._check_seen_penalty()
        self._init_language(text_encoder=text_encoder, context_decoder=context_decoder,
                            context_length=context_length, text_length=text_length, tau=tau,
                            class_names=class_names, long_names=long_names,
                            num_classes=num_classes, templates=templates)

    # ------------------------------------------------------------------ construction
    def _init_decode_head(self, decode_head: dict) -> None:
        """Build the decode head; ``out_channels`` becomes a property (vocabulary size)."""
        self.decode_head = MODELS.build(decode_head)
        self.align_corners = self.decode_head.align_corners
        self.num_classes = self.decode_head.num_classes

    @property
    def out_channels(self) -> int:
        """Channels of the predicted logits: the decode head's, or K for the score map."""
        if self._predict_from_score():
            return self.num_vocabulary
        return self.decode_head.out_channels

    def _predict_from_score(self) -> bool:
        mode = (self.test_cfg or {}).get('predict_from', 'decode_head')
        return mode == 'score_map' or (mode == 'auto' and self.num_vocabulary != self.num_classes)

    def _validate_vocabulary_size(self, num: int) -> None:
        mode = (self.test_cfg or {}).get('predict_from', 'decode_head')
        if mode == 'decode_head':
            self._require_num_classes(num)
        elif mode == 'auto' and num != self.num_classes:
            warnings.warn(f'{num}-name vocabulary on a model built for '
                          f'{self.num_classes} classes: predictions come from the pixel-text '
                          'score map alone (training still needs num_classes names).')

    def _check_seen_penalty(self) -> None:
        penalty = float((self.test_cfg or {}).get('seen_penalty', 0.0))
        if penalty < 0:
            raise ValueError(f'test_cfg.seen_penalty must be >= 0, got {penalty}')

    def _calibrate(self, logits: Tensor) -> Tensor:
        """Calibrated stacking of (B, K, H, W) logits by ``test_cfg.seen_penalty``."""
        penalty = float((self.test_cfg or {}).get('seen_penalty', 0.0))
        if penalty == 0:
            return logits
        seen = seen_class_mask(self.current_vocabulary, self.test_cfg.get('seen_classes'))  # (K,)
        return calibrated_stacking(logits, seen, penalty)

    # ------------------------------------------------------------------ features
    def after_extract_feat(self, x: Sequence) -> Tuple[List[Tensor], Tensor]:
        """Match pixels with text and concatenate the score map to one level.

        Args:
            x (Sequence): backbone outputs ``(*levels, (global (B, D), dense (B, D, h, w)))``.

        Returns:
            tuple[list[Tensor], Tensor]: the levels with level ``score_concat_index``
            now (B, C_i + K, H_i, W_i), and the score map (B, K, h, w) of cosines.
        """
        *levels, (global_feat, dense) = x
        _, score = self._language_guide(global_feat, dense)  # (B, K, h, w)
        i = self.score_concat_index
        target = levels[i]
        fused = score
        if fused.shape[-2:] != target.shape[-2:]:
            fused = resize(fused, size=target.shape[-2:], mode='bilinear',
                           align_corners=self.align_corners)
        levels[i] = torch.cat([target, fused], dim=1)  # (B, C_i + K, H_i, W_i)
        return levels, score

    def extract_feat_and_score(self, inputs: Tensor) -> Tuple[List[Tensor], Tensor]:
        """Backbone -> :meth:`after_extract_feat` -> neck.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised images, already through
                :meth:`_pad`.

        Returns:
            tuple[list[Tensor], Tensor]: neck features and the score map (B, K, h, w).
        """
        levels, score = self.after_extract_feat(list(self.backbone(inputs)))
        feats = self.neck(levels) if self.with_neck else levels
        return list(feats), score

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Neck features of ``inputs`` (B, 3, H, W) (see :meth:`extract_feat_and_score`)."""
        return self.extract_feat_and_score(inputs)[0]

    def _pad(self, inputs: Tensor) -> Tensor:
        """Zero-pad (B, 3, H, W) at the bottom/right to multiples of ``size_divisor``.

        With ``size_divisor=None`` only sides shorter than ``min_side`` are padded (to it).
        """
        h, w = inputs.shape[-2:]
        d = self.size_divisor
        if d is None:
            ph, pw = max(self.min_side - h, 0), max(self.min_side - w, 0)
        else:
            ph, pw = -h % d, -w % d
        return F.pad(inputs, (0, pw, 0, ph)) if ph or pw else inputs

    # ------------------------------------------------------------------ modes
    def loss(self, inputs: Tensor, data_samples: list) -> dict:
        """Decode-head loss (``decode.*``) and pixel-text loss (``aux_identity.*``).

        Args:
            inputs (Tensor): (B, 3, H, W) normalised images.
            data_samples (list[SegDataSample]): with ``gt_sem_seg`` (1, H, W).

        Returns:
            dict[str, Tensor]: losses and accuracies.
        """
        self._check_vocabulary(need_num_classes=True, where='loss')
        padded = self._pad(inputs)
        if padded.shape != inputs.shape:
            data_samples = self._pad_labels(data_samples, padded.shape[-2:])
        feats, score = self.extract_feat_and_score(padded)
        losses = self._decode_head_forward_train(feats, data_samples)
        if self.identity_head is not None:
            loss_id = self.identity_head.loss(score / self.tau, data_samples, self.train_cfg)
            losses.update(add_prefix(loss_id, 'aux_identity'))
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(feats, data_samples))
        return losses

    def _pad_labels(self, data_samples: list, size: Tuple[int, int]) -> list:
        ignore = self.decode_head.ignore_index
        out = []
        for sample in data_samples:
            sample = sample.clone()
            seg = sample.gt_sem_seg.data
            sample.gt_sem_seg = PixelData(data=F.pad(
                seg, (0, size[1] - seg.shape[-1], 0, size[0] - seg.shape[-2]), value=ignore))
            out.append(sample)
        return out

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Logits at the input size.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised images (any size; padded inside).
            batch_img_metas (list[dict]): image metas (unused; the output follows
                ``inputs``).

        Returns:
            Tensor: (B, K, H, W) logits: decode-head logits, or ``score / tau`` with
            ``test_cfg.predict_from`` selecting the score map; ``test_cfg.seen_penalty``
            subtracted from the seen classes (calibrated stacking).
        """
        from_score = self._predict_from_score()
        self._check_vocabulary(need_num_classes=not from_score, where='predict')
        h, w = inputs.shape[-2:]
        padded = self._pad(inputs)
        if from_score:  # neck and decode head are skipped (they need num_classes channels)
            *_, (global_feat, dense) = self.backbone(padded)
            logits = self._language_guide(global_feat, dense)[1] / self.tau
        else:
            logits = self.decode_head.forward(self.extract_feat(padded))
        logits = self._calibrate(logits)  # (B, K, h, w)
        logits = resize(logits, size=padded.shape[-2:], mode='bilinear',
                        align_corners=self.align_corners)
        return logits[..., :h, :w]

    def _forward(self, inputs: Tensor, data_samples: Optional[list] = None) -> Tensor:
        """Tensor mode: raw decode-head logits (B, K, H', W') of the padded input."""
        self._check_vocabulary(need_num_classes=True, where='forward')
        return self.decode_head.forward(self.extract_feat(self._pad(inputs)))
