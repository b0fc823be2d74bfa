"""Contrastive image-text pretraining of an open_clip architecture (SynthWorld CLIP)."""
import math
from typing import Dict, List, Optional, Sequence, Union

import open_clip
import torch
import torch.nn.functional as F
from mmengine.dist import get_dist_info
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from ..clip import (CLIPTextEncoder, TextClassifier, build_clip_tower, build_clip_towers,
                    clip_data_preprocessor, load_clip_towers)

@MODELS.register_module()
class ContrastiveCLIP(BaseModel):
    """Train an open_clip architecture from scratch (or further) with the CLIP loss.

    CLIP (https://arxiv.org/abs/2103.00020), implements the symmetric InfoNCE loss of
    Fig. 3 / Sec. 2.3 through ``open_clip.ClipLoss``. The image tower is open_clip's
    (built by :func:`build_clip_towers`); the text tower is the ``CLIPTextEncoder`` inside a
    :class:`TextClassifier`, so training and zero-shot evaluation share one set of text
    weights. Parameter names under ``visual.`` and ``classifier.text_encoder.`` map one to
    one onto open_clip ``CLIP``'s, see :meth:`clip_state_dict`.

    Call graph:

    - ``loss()``: ``_encode_text(data_samples.text)``, ``_encode_images(inputs)`` ->
      ``open_clip.ClipLoss`` [+ hard-negative term on ``data_samples.negative_text``]
      [+ feature distillation from ``teacher_visual(inputs)``]
    - ``predict()``: ``_encode_images(inputs)``, ``_encode_text(captions)``,
      ``_encode_images(crop_inputs)`` -> ``classifier()`` -> crop scores

    Args:
        model_name (str): open_clip architecture, e.g. ``'synthworld-vit-s'``.
        pretrained (str, optional): open_clip tag or file (any format
            :func:`read_clip_checkpoint` reads), loaded by :meth:`init_weights`.
            Defaults to None (random initialisation, as open_clip's).
        templates (str | Sequence[str]): prompt templates of the zero-shot classifier
            (``get_templates``). Defaults to ``'vild'``.
        loss (dict, optional): keyword arguments of ``open_clip.ClipLoss``; ``rank`` and
            ``world_size`` come from the running process group. Defaults to None.
        hard_negative_weight (float): weight of the hard-negative term, computed for the
            samples that carry a ``negative_text`` (``RandomCaptionView(negative_prob=...)``):
            cross-entropy of each such image over (its text, its negative), both scaled by
            the CLIP temperature. A pairwise form of NegCLIP's hard negatives (Yuksekgonul
            et al., ICLR 2023, Sec. 4), local to each process. Defaults to 1.0.
        distill (dict, optional): feature distillation from a trained CLIP's image tower
            (CLIP-KD, Yang et al., CVPR 2024, Sec. 3.2, "FD"): ``loss_distill`` = ``weight``
            x the squared L2 distance between the student's and the teacher's L2-normalised
            image embeddings, (B, D) each, mean over B. Keys: ``model_name`` and
            ``pretrained`` (file or tag) of the teacher, ``weight`` (default 1.0) and
            ``text_from_teacher`` (default True: the student's text tower starts as the
            teacher's, so both image towers are trained into one embedding space). The
            teacher's image tower is frozen and stays in eval mode; its embedding width must
            equal the student's. Defaults to None (no distillation).
        word_head (dict, optional): an auxiliary word-classification term for word crops
            (``RandomWordView``, ``word`` packed by ``PackCaptionInputs(meta_keys=...)``):
            ``loss_word`` = ``weight`` x the cross-entropy of a linear layer (D -> K) on
            ``scale`` x the L2-normalised image embedding over the K words of ``words`` (a
            word list's name or the words), for the samples whose ``word`` is one of them.
            Keys: ``words`` (required), ``weight`` (default 1.0), ``scale`` (default 10.0).
            A dictionary-word classifier (Jaderberg et al., IJCV 2016, "DICT") that keeps the
            image embeddings of different words apart: the contrastive loss alone collapses
            them when the text tower starts with every word at one point
            (``configs/text_retrieval/README.md``, "why it does not learn to read"). The
            layer is not part of the CLIP (``clip_state_dict`` leaves it out).
            Defaults to None (no such term).
        data_preprocessor (dict, optional): defaults to
            :func:`~ovseg.models.clip.clip_data_preprocessor`.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> import torch
        >>> from mmengine.structures import BaseDataElement
        >>> model = ContrastiveCLIP(model_name='ovseg-tiny-vit')
        >>> samples = [BaseDataElement(text='a red star'), BaseDataElement(text='a blue disk')]
        >>> data = model.data_preprocessor(
        ...     dict(inputs=[torch.zeros(3, 32, 32, dtype=torch.uint8)] * 2, data_samples=samples))
        >>> sorted(model(**data, mode='loss'))
        ['logit_scale', 'loss_contrastive']
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 templates: Union[str, Sequence[str]] = 'vild', loss: Optional[dict] = None,
                 hard_negative_weight: float = 1.0,
                 distill: Optional[dict] = None,
                 word_head: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or clip_data_preprocessor(),
                         init_cfg=init_cfg)
        self.model_name = model_name
        self.pretrained = pretrained
        self.visual, text_encoder = build_clip_towers(model_name, freeze_text=False)
        self.classifier = TextClassifier(text_encoder=text_encoder, templates=templates)
        rank, world_size = get_dist_info()
        self.loss_fn = open_clip.ClipLoss(**dict(dict(rank=rank, world_size=world_size),
                                                 **(loss or {})))
        self.hard_negative_weight = hard_negative_weight
        self.distill = self._check_distill(distill)
        self.teacher_visual = (build_clip_tower(self.distill['model_name'], 'visual')
                               if self.distill else None)
        if self.teacher_visual is not None:
            self.teacher_visual.requires_grad_(False)
        self.word_head_cfg, self.word_index, self.word_head = self._build_word_head(word_head)

    def _build_word_head(self, word_head: Optional[dict]):
        """(settings, {word: index}, nn.Linear(D, K)) of ``word_head``, or Nones."""
        if word_head is None:
            return None, None, None
        unknown = set(word_head) - {'words', 'weight', 'scale'}
        if unknown or 'words' not in word_head:
            raise ValueError(f'ContrastiveCLIP word_head: unknown keys {sorted(unknown)}; '
                             "'words' (a word list's name or the words) is required")
        # imported here: ovseg.models.text_retrieval imports this package's siblings
        from ..text_retrieval.word_lists import lower_case_words
        words = lower_case_words(word_head['words'])
        if not words:
            raise ValueError('ContrastiveCLIP word_head: the word list is empty')
        settings = dict(dict(weight=1.0, scale=10.0), **word_head)
        return (settings, {w: i for i, w in enumerate(words)},
                nn.Linear(self.text_encoder.embed_dim, len(words)))

    def _check_distill(self, distill: Optional[dict]) -> Optional[dict]:
        if distill is None:
            return None
        unknown = set(distill) - {'model_name', 'pretrained', 'weight', 'text_from_teacher'}
        missing = {'model_name', 'pretrained'} - set(distill)
        if unknown or missing:
            raise ValueError(f'ContrastiveCLIP distill: unknown keys {sorted(unknown)}, '
                             f'missing keys {sorted(missing)} (model_name and pretrained of '
                             'the teacher are required)')
        teacher_dim = open_clip.get_model_config(distill['model_name'])['embed_dim']
        if teacher_dim != self.text_encoder.embed_dim:
            raise ValueError(f"ContrastiveCLIP distill: teacher {distill['model_name']!r} "
                             f'embeds in {teacher_dim} dimensions, the student '
                             f'{self.model_name!r} in {self.text_encoder.embed_dim}')
        return dict(dict(weight=1.0, text_from_teacher=True), **distill)

    @property
    def text_encoder(self) -> CLIPTextEncoder:
        """The text tower (shared with the zero-shot classifier)."""
        return self.classifier.text_encoder

    def init_weights(self) -> None:
        """Apply ``init_cfg``, load ``pretrained`` into both towers, then the teacher (strictly).

        With ``distill.text_from_teacher`` the teacher's text tower replaces the student's.
        """
        super().init_weights()
        if self.pretrained is not None:
            load_clip_towers(self.model_name, self.pretrained, visual=self.visual,
                             text=self.text_encoder)
        if self.distill:
            load_clip_towers(self.distill['model_name'], self.distill['pretrained'],
                             visual=self.teacher_visual,
                             text=self.text_encoder if self.distill['text_from_teacher'] else None)

    def train(self, mode: bool = True) -> 'ContrastiveCLIP':
        """Set the mode of every module but the teacher, which stays in eval mode."""
        super().train(mode)
        if self.teacher_visual is not None:
            self.teacher_visual.eval()
        return self

    def clip_state_dict(self) -> Dict[str, Tensor]:
        """Weights in open_clip ``CLIP`` layout (``visual.*``, ``token_embedding.weight``, ...).

        Returns:
            dict[str, Tensor]: detached CPU tensors; ``open_clip.create_model(model_name)``
            loads them with ``strict=True``.
        """
        state = {f'visual.{k}': v for k, v in self.visual.state_dict().items()}
        state.update(self.text_encoder.state_dict())
        return {k: v.detach().cpu().clone() for k, v in state.items()}

    def set_vocabulary(self, names: Union[str, Sequence[str]]) -> None:
        """Classes (K, comma-separated synonyms allowed) that object crops are scored against."""
        self.classifier.set_vocabulary(names)

    def _encode_images(self, images: Tensor) -> Tensor:
        """(N, 3, H, W) normalised images -> (N, D) embeddings, L2-normalised over D."""
        return F.normalize(self.visual(images), dim=-1)

    def _encode_text(self, texts: Sequence[str]) -> Tensor:
        """T strings -> (T, D) embeddings, L2-normalised over D.

        Tokens are cut after the longest text's ``[EOT]``: with causal attention the
        padding after it cannot change the pooled feature, so this equals
        ``CLIP.encode_text`` on the full context.
        """
        encoder = self.text_encoder
        tokens = encoder.tokenize(list(texts)).to(encoder.token_embedding.weight.device)  # (T, L)
        length = int((tokens != 0).sum(dim=1).max()) if encoder.attn_mask is not None else None
        return F.normalize(encoder(tokens[:, :length]), dim=-1)

    def _encode_crops(self, crops: Tensor) -> Tensor:
        """(N, 3, S, S) uint8 BGR crops -> (N, D) embeddings, L2-normalised over D.

        The crops go through the same data preprocessor as ``inputs``.
        """
        if crops.shape[0] == 0:
            return crops.new_zeros(0, self.text_encoder.embed_dim, dtype=torch.float)
        return self._encode_images(self.data_preprocessor(dict(inputs=list(crops)))['inputs'])

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        """Run one of the three mmengine modes.

        Args:
            inputs (Tensor): (B, 3, H, W) images after the data preprocessor (CLIP-normalised
                RGB, H = W = the architecture's image size).
            data_samples (list[BaseDataElement], optional): B samples. ``loss`` needs
                ``text`` (str) in each; ``predict`` uses ``captions`` (list of T_b str) and
                ``crop_inputs`` ((N_b, 3, S, S) uint8 BGR) with ``gt_crop_labels`` (N_b,)
                where present. Defaults to None.
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``. Defaults to ``'tensor'``.

        Returns:
            - ``'loss'``: dict with ``loss_contrastive`` (scalar), ``loss_hard_negative``
              (scalar, when some sample has ``negative_text``), ``loss_distill`` (scalar,
              with ``distill``) and the detached
              ``logit_scale`` (exp of the learnt log temperature).
            - ``'predict'``: the B data samples, each with ``img_embed`` (D,),
              ``caption_embeds`` (T_b, D), ``crop_embeds`` (N_b, D), all L2-normalised
              over D, and ``crop_scores`` (N_b, K) cosine similarities to the K classes of
              the vocabulary (:meth:`set_vocabulary`).
            - ``'tensor'``: image embeddings (B, D), or a tuple with the text embeddings
              (B, D) of ``data_samples.text`` when given; L2-normalised over D.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            image_embeds = self._encode_images(inputs)  # (B, D)
            if data_samples and 'text' in data_samples[0]:
                return image_embeds, self._encode_text([s.text for s in data_samples])
            return image_embeds
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', not {mode!r}")

    def loss(self, inputs: Tensor, data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """CLIP loss of B matched (image, text) pairs; the other B - 1 are negatives."""
        image_embeds = self._encode_images(inputs)  # (B, D)
        text_embeds = self._encode_text([s.text for s in data_samples])  # (B, D)
        # open_clip clamps the temperature at 100 after each step; clamping here is the same.
        logit_scale = self.text_encoder.logit_scale.clamp(0, math.log(100)).exp()
        losses = dict(loss_contrastive=self.loss_fn(image_embeds, text_embeds, logit_scale),
                      logit_scale=logit_scale.detach())
        with_negative = [i for i, s in enumerate(data_samples) if 'negative_text' in s]
        if with_negative and self.hard_negative_weight:
            # open_clip's losses take no extra negative texts: this term is ours.
            negatives = self._encode_text([data_samples[i].negative_text
                                           for i in with_negative])  # (M, D)
            images, positives = image_embeds[with_negative], text_embeds[with_negative]
            logits = logit_scale * torch.stack([(images * positives).sum(-1),
                                                (images * negatives).sum(-1)], dim=1)  # (M, 2)
            target = logits.new_zeros(len(with_negative), dtype=torch.long)
            losses['loss_hard_negative'] = (self.hard_negative_weight
                                            * F.cross_entropy(logits, target))
        if self.word_head is not None:
            losses['loss_word'] = self._word_loss(image_embeds, data_samples)
        if self.teacher_visual is not None:
            with torch.no_grad():
                teacher_embeds = F.normalize(self.teacher_visual(inputs), dim=-1)  # (B, D)
            distance = (image_embeds - teacher_embeds).pow(2).sum(dim=-1)  # (B,)
            losses['loss_distill'] = self.distill['weight'] * distance.mean()
        return losses

    def _word_loss(self, image_embeds: Tensor, data_samples: List[BaseDataElement]) -> Tensor:
        """``word_head``'s cross-entropy over the samples whose ``word`` it knows (0 if none)."""
        rows, labels = [], []
        for i, sample in enumerate(data_samples):
            index = self.word_index.get(str(sample.get('word', '')).lower())
            if index is not None:
                rows.append(i)
                labels.append(index)
        logits = self.word_head(self.word_head_cfg['scale'] * image_embeds[rows])  # (M, K)
        if not rows:  # keeps the head in the graph, so every process has the same gradients
            return logits.sum() * 0
        return self.word_head_cfg['weight'] * F.cross_entropy(
            logits, torch.tensor(labels, device=logits.device))

    @torch.no_grad()
    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Embeddings and zero-shot crop scores of B images (see :meth:`forward`)."""
        image_embeds = self._encode_images(inputs)  # (B, D)
        captions = [list(s.get('captions', [])) for s in data_samples]
        flat = [c for caps in captions for c in caps]
        caption_embeds = (self._encode_text(flat) if flat
                          else image_embeds.new_zeros(0, image_embeds.shape[1]))  # (T, D)
        has_crops = ['crop_inputs' in s for s in data_samples]
        crop_embeds = self._encode_crops(torch.cat(
            [s.crop_inputs for s in data_samples if 'crop_inputs' in s]
            or [inputs.new_zeros(0, 3, 1, 1, dtype=torch.uint8)]))  # (N, D), N = sum N_b
        if crop_embeds.shape[0] and self.classifier.vocabulary is None:
            raise RuntimeError('Call set_vocabulary(names) before predicting object crops '
                               '(the VocabularyHook does it from the dataset metainfo).')
        crop_scores = (crop_embeds @ self.classifier().t() if crop_embeds.shape[0]
                       else crop_embeds.new_zeros(0, 0))  # (N, K) cosine similarities
        text_start = crop_start = 0
        for i, sample in enumerate(data_samples):
            sample.img_embed = image_embeds[i]
            sample.caption_embeds = caption_embeds[text_start:text_start + len(captions[i])]
            text_start += len(captions[i])
            if has_crops[i]:
                num = sample.crop_inputs.shape[0]
                sample.crop_embeds = crop_embeds[crop_start:crop_start + num]
                sample.crop_scores = crop_scores[crop_start:crop_start + num]
                crop_start += num
                del sample.crop_inputs  # the metric keeps outputs, not pixels
        return data_samples
