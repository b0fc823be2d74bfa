"""OvarNet: one-stage open-vocabulary attribute detection, distilled from CLIP-Attr."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.ops import batched_nms
from mmdet.models.detectors.base import BaseDetector
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi, get_box_tensor, scale_boxes
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import Tensor, nn

from ovseg.compat import load_model_weights

from ..clip import Vocabulary, build_clip_towers, load_clip_towers
from .crops import crop_boxes
from .distillation import DistillKLLoss, build_teacher, load_teacher_weights
from .prompt_classifier import AttributePromptClassifier
from .scoring import AttributeScoringMixin

_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
_DISTILL_KEYS = {'teacher_config', 'teacher_checkpoint', 'attribute_weight', 'category_weight',
                 'temperature', 'text_from_teacher'}


@MODELS.register_module()
class OvarNet(AttributeScoringMixin, BaseDetector):
    """Boxes, categories and attributes in one image pass, distilled from a CLIP-Attr teacher.

    OvarNet (https://arxiv.org/abs/2301.09506, Sec. 3.3, Fig. 2; the released
    ``OvarNetP`` config): a frozen CLIP image tower (``CLIPResNet``) with an mmdet FPN; a
    class-agnostic mmdet ``RPNHead``; :class:`OvarNetRoIHead` (RoIAlign 14 x 14 ->
    transformer with [CLS] and [REG] tokens) whose [CLS] embedding is scored ``exp(s)·cos``
    against the prompt-learned text embeddings of :class:`AttributePromptClassifier`
    (:class:`AttributeScoringMixin`), and whose [REG] token regresses class-agnostic boxes.

    Losses (federated, Sec. 3.3): the RPN and box regression learn only from images whose
    boxes are exhaustive (metainfo ``boxes_exhaustive``, from ``PackDetAttributeInputs``;
    attribute data such as VAW box a few objects only); :class:`FederatedAttributeLoss` on
    the GT boxes' attributes and categories, each in the label spaces its image annotates;
    and, with ``distill``, :class:`DistillKLLoss` from a frozen CLIP-Attr teacher run on
    crops of the same GT boxes, over **all** attributes and categories (seen and unseen).

    Call graph:

    - ``loss()``: ``extract_feat()`` [``backbone`` -> ``neck``] -> ``rpn_head`` (loss on
      exhaustive images; proposals -> ``roi_head.loss_bbox_of``) -> ``roi_head(GT rois)`` ->
      ``_text_logits(mean)`` -> ``loss_fn`` per label space [+ ``teacher(crops)`` -> KL]
    - ``predict()``: ``extract_feat()`` -> ``rpn_head.predict`` (or GT boxes with
      ``test_cfg.boxes_given``) -> ``roi_head`` -> ``_text_logits(max)`` -> decode, NMS

    Args:
        backbone (dict): the CLIP image tower, ``CLIPResNet`` (``model_name`` filled in).
        neck (dict): mmdet ``FPN``.
        rpn_head (dict): mmdet ``RPNHead`` (class-agnostic); ``train_cfg.rpn`` and
            ``test_cfg.rpn`` are passed to it.
        roi_head (dict): :class:`OvarNetRoIHead`; ``embed_dims`` (D) and ``train_cfg.rcnn``
            are filled in.
        model_name (str): open_clip architecture of both towers.
        pretrained (str, optional): CLIP weights of both towers, loaded by
            :meth:`init_weights`. Defaults to None.
        num_context_tokens (int): prompt vectors (:class:`AttributePromptClassifier`).
            Defaults to 30.
        category_type (str): parent type of categories without one. Defaults to ``'object'``.
        freeze_text (bool): freeze the text tower and the prompt vectors: fixed text
            embeddings, as the released OvarNet (taken from CLIP-Attr). Defaults to True.
        loss (dict, optional): :class:`FederatedAttributeLoss`. Defaults to λ_unk 0.15.
        category_loss_weight (float): factor on the category loss. Defaults to 1.0.
        weight_power (float): attribute weights ∝ labelled count ** -power. Defaults to 0.25.
        distill (dict, optional): ``teacher_config`` (config file with a ``model``, e.g. the
            CLIP-Attr config, or a dict), ``teacher_checkpoint`` (weights, loaded strictly by
            ``ovseg.compat.load_model_weights``; None: the teacher config's own
            initialisation), ``attribute_weight`` (0.5) and ``category_weight`` (1.0) of the
            KL terms, ``temperature`` (1.0), ``text_from_teacher`` (True: the prompt vectors,
            text tower and scale start as the teacher's). Defaults to None (no teacher).
        train_cfg (dict, optional): ``rpn``, ``rpn_proposal`` and ``rcnn`` (assigner,
            sampler of the box regression).
        test_cfg (dict, optional): ``rpn``, and ``rcnn``: ``score_thr``, ``nms``,
            ``max_per_img``, ``boxes_given`` (score the GT boxes instead of detecting),
            ``multiply_objectness`` (detecting: a box's score is its best category
            probability times its RPN objectness, before ``score_thr`` and NMS; default
            False: the category probability alone).
        data_preprocessor (dict, optional): mmdet ``DetDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, backbone: dict, neck: dict, rpn_head: dict, roi_head: dict,
                 model_name: str, pretrained: Optional[str] = None,
                 num_context_tokens: int = 30, category_type: str = 'object',
                 freeze_text: bool = True, loss: Optional[dict] = None,
                 category_loss_weight: float = 1.0, weight_power: float = 0.25,
                 distill: Optional[dict] = None, train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.train_cfg = ConfigDict(train_cfg or {})
        self.test_cfg = ConfigDict(test_cfg or {})
        self.model_name = model_name
        self.pretrained = pretrained
        self.backbone = MODELS.build(dict(backbone, model_name=model_name))
        self.neck = MODELS.build(neck)
        self.rpn_head = MODELS.build(dict(rpn_head, train_cfg=self.train_cfg.get('rpn'),
                                          test_cfg=self.test_cfg.get('rpn')))
        _, text_encoder = build_clip_towers(model_name, freeze_text=freeze_text,
                                            image_tower=False)
        text_encoder.logit_scale.requires_grad_(False)  # the detector's own copy learns
        self.classifier = AttributePromptClassifier(text_encoder=text_encoder,
                                                    num_context_tokens=num_context_tokens)
        if freeze_text and self.classifier.context is not None:
            self.classifier.context.requires_grad_(False)
        self.roi_head = MODELS.build(dict(roi_head, embed_dims=text_encoder.embed_dim,
                                          train_cfg=self.train_cfg.get('rcnn')))
        self.logit_scale = nn.Parameter(text_encoder.logit_scale.detach().clone())
        self.loss_fn = MODELS.build(loss or dict(type='FederatedAttributeLoss',
                                                 unknown_weight=0.15))
        self.category_type = category_type
        self.category_loss_weight = category_loss_weight
        self.weight_power = weight_power
        self._init_vocabularies()
        self.distill = self._check_distill(distill)
        teacher = None
        if self.distill is not None:
            teacher = build_teacher(self.distill['teacher_config'], root=_ROOT)
            self.kd_attribute = DistillKLLoss(temperature=self.distill['temperature'],
                                              loss_weight=self.distill['attribute_weight'])
            self.kd_category = DistillKLLoss(temperature=self.distill['temperature'],
                                             loss_weight=self.distill['category_weight'])
        # Kept out of the module tree (as mmdet's KnowledgeDistillationSingleStageDetector):
        # no teacher weights in OvarNet's checkpoints, no teacher parameters in its optimiser.
        object.__setattr__(self, 'teacher', teacher)

    @staticmethod
    def _check_distill(distill: Optional[dict]) -> Optional[dict]:
        if distill is None:
            return None
        unknown = set(distill) - _DISTILL_KEYS
        if unknown or 'teacher_config' not in distill:
            raise ValueError(f'OvarNet distill: unknown keys {sorted(unknown)}; '
                             f'teacher_config is required (keys: {sorted(_DISTILL_KEYS)})')
        return dict(dict(teacher_checkpoint=None, attribute_weight=0.5, category_weight=1.0,
                         temperature=1.0, text_from_teacher=True), **distill)

    @property
    def text_encoder(self) -> nn.Module:
        """The text tower inside the prompt classifier."""
        return self.classifier.text_encoder

    def init_weights(self) -> None:
        """``init_cfg``; CLIP weights into both towers; the teacher; text from the teacher."""
        super().init_weights()
        if self.pretrained is not None:
            load_clip_towers(self.model_name, self.pretrained, visual=self.backbone.visual,
                             text=self.text_encoder)
        with torch.no_grad():
            self.logit_scale.copy_(self.text_encoder.logit_scale)
        if self.teacher is None:
            return
        load_teacher_weights(self.teacher, self.distill['teacher_checkpoint'])
        if self.distill['text_from_teacher']:
            load_model_weights(self.classifier, self.teacher.classifier.state_dict(),
                               name='the teacher prompt classifier',
                               model_desc="OvarNet's prompt classifier")
            with torch.no_grad():
                self.logit_scale.copy_(self.teacher.logit_scale)

    def train(self, mode: bool = True) -> 'OvarNet':
        """Switch mode; the teacher always stays in eval mode."""
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        return self

    def _apply(self, fn, *args, **kwargs):
        """Move / cast the teacher with the model (``to``, ``cuda``, ``half``)."""
        super()._apply(fn, *args, **kwargs)
        if self.teacher is not None:
            self.teacher._apply(fn, *args, **kwargs)
        return self

    def set_vocabulary(self, names) -> None:
        """Categories (K), for the model and its teacher."""
        super().set_vocabulary(names)
        if self.teacher is not None:
            self.teacher.set_vocabulary(names)

    def set_attribute_vocabulary(self, attributes: Vocabulary) -> None:
        """Attributes (A) with parent types, for the model and its teacher."""
        super().set_attribute_vocabulary(attributes)
        if self.teacher is not None:
            self.teacher.set_attribute_vocabulary(attributes)

    # features --------------------------------------------------------------------------------
    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """(B, 3, H, W) CLIP-normalised RGB -> FPN levels (B, C, H_l, W_l)."""
        return self.neck(self.backbone(batch_inputs))

    def _region_logits(self, x: Tuple[Tensor, ...], boxes: List[Tensor],
                       mode: str) -> Tuple[Tensor, Tensor, Tensor]:
        """Boxes of each image ((N_b, 4) input pixels) -> attribute (N, A) and category (N, K)
        logits and box deltas (N, 4), N = sum N_b."""
        embeds, deltas = self.roi_head(x, bbox2roi(boxes))  # (N, D), (N, 4)
        attributes, categories = self._text_logits(F.normalize(embeds, dim=-1), mode)
        return attributes, categories, deltas

    # training --------------------------------------------------------------------------------
    def loss(self, batch_inputs: Tensor, batch_data_samples: list) -> Dict[str, Tensor]:
        """RPN and box losses (exhaustive images), federated BCE and distillation (GT boxes).

        Args:
            batch_inputs (Tensor): (B, 3, H, W) CLIP-normalised RGB images.
            batch_data_samples (list[DetDataSample]): ``gt_instances`` with ``bboxes``
                (N_b, 4), ``labels`` (N_b,) (-1: no category) and ``attributes`` (N_b, A)
                (1 / 0 / -1); metainfo ``label_spaces`` and ``boxes_exhaustive``.

        Returns:
            dict: ``loss_rpn_cls``, ``loss_rpn_bbox`` (per level), ``loss_bbox``,
            ``loss_attribute``, ``loss_category``, with a teacher ``loss_kd_attribute`` and
            ``loss_kd_category`` (scalars), and the detached ``logit_scale``.
        """
        x = self.extract_feat(batch_inputs)
        losses = self._box_losses(x, batch_data_samples)
        boxes = [get_box_tensor(s.gt_instances.bboxes) for s in batch_data_samples]
        attr_logits, cat_logits, _ = self._region_logits(x, boxes, 'mean')
        image = torch.cat([torch.full((len(b),), i, dtype=torch.long)
                           for i, b in enumerate(boxes)])  # (N,) image of each GT box
        num_attributes = len(self._attributes)
        attr_targets = torch.cat([self._gt_attributes(s, len(b), num_attributes)
                                  for s, b in zip(batch_data_samples, boxes)]).to(
                                      attr_logits.device)  # (N, A)
        labels = torch.cat([s.gt_instances.labels for s in batch_data_samples]).to(
            attr_logits.device)  # (N,)
        cat_mask = (self._sample_mask(batch_data_samples, 'category')[image].to(labels.device)
                    & (labels >= 0))
        losses['loss_attribute'] = self.loss_fn(
            attr_logits, attr_targets,
            sample_mask=self._sample_mask(batch_data_samples, 'attribute')[image],
            class_weights=self.attribute_weights)
        losses['loss_category'] = self.category_loss_weight * self.loss_fn(
            cat_logits, F.one_hot(labels.clamp(min=0), len(self._categories)),
            sample_mask=cat_mask, class_weights=self.category_weights)
        if self.teacher is not None:
            teacher_attr, teacher_cat = self.teacher_logits(
                batch_inputs, boxes, [s.metainfo['img_shape'] for s in batch_data_samples])
            losses['loss_kd_attribute'] = self.kd_attribute(attr_logits, teacher_attr)
            losses['loss_kd_category'] = self.kd_category(cat_logits, teacher_cat)
        losses['logit_scale'] = self.logit_scale.exp().detach()
        return losses

    @staticmethod
    def _gt_attributes(sample, num_boxes: int, num_attributes: int) -> Tensor:
        """(N_b, A) attribute targets of a sample's GT boxes; all -1 (unknown) if absent."""
        targets = sample.gt_instances.get('attributes')
        if targets is None:
            return torch.full((num_boxes, num_attributes), -1, dtype=torch.long)
        return targets.reshape(num_boxes, num_attributes)  # (0, 0) of an empty image fits

    def teacher_crops(self, batch_inputs: Tensor, boxes: List[Tensor],
                      image_shapes: Optional[List[Tuple[int, int]]] = None) -> Tensor:
        """(N, 3, S, S) crops of the boxes from the normalised inputs, as CLIP-Attr crops at
        test (fixed ``test_crop_scale``, padding 0 = the CLIP mean after normalisation),
        within each image's ``image_shapes`` (H, W) (batch padding excluded; default the
        whole input)."""
        shapes = image_shapes or [batch_inputs.shape[-2:]] * len(boxes)
        size = self.teacher.crop_size
        crops = [crop_boxes(image[:, :h, :w], b, size=size, scales=self.teacher.test_crop_scale)
                 for image, b, (h, w) in zip(batch_inputs, boxes, shapes) if len(b)]
        return torch.cat(crops) if crops else batch_inputs.new_zeros(0, 3, size, size)

    @torch.no_grad()
    def teacher_logits(self, batch_inputs: Tensor, boxes: List[Tensor],
                       image_shapes: Optional[List[Tuple[int, int]]] = None
                       ) -> Tuple[Tensor, Tensor]:
        """The teacher's attribute (N, A) and category (N, K) logits of the boxes
        (:meth:`teacher_crops`)."""
        crops = self.teacher_crops(batch_inputs, boxes, image_shapes)
        if not len(crops):
            return (batch_inputs.new_zeros(0, len(self._attributes)),
                    batch_inputs.new_zeros(0, len(self._categories)))
        return self.teacher(crops, mode='tensor')

    def _box_losses(self, x: Tuple[Tensor, ...], samples: list) -> Dict[str, Tensor]:
        """RPN and box-regression losses of the images whose boxes are exhaustive."""
        keep = [i for i, s in enumerate(samples) if s.metainfo.get('boxes_exhaustive', True)]
        cls_scores, bbox_preds = self.rpn_head(x)
        if not keep:  # zero losses that still touch every parameter (DDP)
            zero = sum(t.sum() for t in cls_scores + bbox_preds) * 0
            return dict(loss_rpn_cls=zero, loss_rpn_bbox=zero,
                        loss_bbox=sum(p.sum() for p in self.roi_head.parameters()) * 0)
        index = torch.tensor(keep, device=x[0].device)
        cls_scores = [t[index] for t in cls_scores]
        bbox_preds = [t[index] for t in bbox_preds]
        metas = [samples[i].metainfo for i in keep]
        gts = [samples[i].gt_instances for i in keep]
        rpn_gts = [InstanceData(bboxes=g.bboxes, labels=torch.zeros_like(g.labels)) for g in gts]
        losses = self.rpn_head.loss_by_feat(cls_scores, bbox_preds, rpn_gts, metas)
        proposals = self.rpn_head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=metas,
            cfg=self.train_cfg.get('rpn_proposal', self.test_cfg.get('rpn')), rescale=False)
        losses['loss_bbox'] = self.roi_head.loss_bbox_of([t[index] for t in x], proposals, gts)
        return losses

    # inference -------------------------------------------------------------------------------
    def predict(self, batch_inputs: Tensor, batch_data_samples: list,
                rescale: bool = True) -> list:
        """Detections with categories and attributes, or scores of the GT boxes.

        Returns:
            list[DetDataSample]: each with ``pred_instances``: ``bboxes`` (M, 4), ``scores``
            (M,) (best category probability), ``labels`` (M,), ``attribute_scores`` (M, A)
            and ``category_scores`` (M, K), sigmoid probabilities. With
            ``test_cfg.rcnn.boxes_given`` the M boxes are the GT boxes in order (in original
            image pixels, as mmdet's test pipelines load them after ``Resize``; scaled by
            ``scale_factor`` into the input), and the sample also gets ``CLIPAttr.predict``'s
            fields for ``AttributeMAPMetric``:
            ``pred_attribute_scores`` (M, A), ``pred_category_scores`` (M, K),
            ``gt_attributes`` (M, A) and ``gt_label`` (M,).
        """
        cfg = self.test_cfg.get('rcnn', ConfigDict())
        x = self.extract_feat(batch_inputs)
        boxes_given = cfg.get('boxes_given', False)
        if boxes_given:  # GT boxes in original pixels (loaded after Resize, as mmdet tests)
            boxes = [self._to_input_frame(get_box_tensor(s.gt_instances.bboxes), s.metainfo)
                     for s in batch_data_samples]
            objectness = [None] * len(boxes)
        else:
            proposals = self.rpn_head.predict(x, batch_data_samples, rescale=False)
            boxes = [p.bboxes for p in proposals]
            objectness = [p.scores if cfg.get('multiply_objectness', False) else None
                          for p in proposals]
        attributes, categories, deltas = self._region_logits(x, boxes, 'max')
        counts = [len(b) for b in boxes]
        for sample, b, attr, cat, delta, obj in zip(batch_data_samples, boxes,
                                                    attributes.sigmoid().split(counts),
                                                    categories.sigmoid().split(counts),
                                                    deltas.split(counts), objectness):
            result = self._image_result(sample.metainfo, b, attr, cat, delta, cfg,
                                        refine=not boxes_given, rescale=rescale,
                                        objectness=obj)
            sample.pred_instances = result
            if boxes_given:
                sample.pred_attribute_scores = attr
                sample.pred_category_scores = cat
                sample.gt_label = sample.gt_instances.labels
                sample.gt_attributes = self._gt_attributes(sample, len(b), attr.shape[1])
        return batch_data_samples

    @staticmethod
    def _to_input_frame(boxes: Tensor, meta: dict) -> Tensor:
        """(N, 4) boxes in original image pixels -> the resized input's pixels."""
        return scale_boxes(boxes, meta['scale_factor']) if 'scale_factor' in meta else boxes

    def _image_result(self, meta: dict, boxes: Tensor, attr: Tensor, cat: Tensor,
                      deltas: Tensor, cfg: ConfigDict, *, refine: bool,
                      rescale: bool, objectness: Optional[Tensor] = None) -> InstanceData:
        """One image's predictions: optionally refined boxes, score threshold, NMS; scores
        times ``objectness`` (N,) when given."""
        scores, labels = cat.max(dim=1) if cat.shape[0] else (cat.new_zeros(0),
                                                              cat.new_zeros(0).long())
        if objectness is not None:
            scores = scores * objectness
        if refine:
            boxes = self.roi_head.bbox_coder.decode(boxes, deltas, max_shape=meta['img_shape'])
            keep = scores > cfg.get('score_thr', 0.0)
            boxes, scores, labels, attr, cat = (t[keep] for t in (boxes, scores, labels, attr,
                                                                   cat))
            if 'nms' in cfg and boxes.shape[0]:
                _, keep = batched_nms(boxes, scores, labels, cfg['nms'])
                keep = keep[:cfg.get('max_per_img', 100)]
                boxes, scores, labels, attr, cat = (t[keep] for t in (boxes, scores, labels,
                                                                       attr, cat))
        if rescale and 'scale_factor' in meta:
            boxes = scale_boxes(boxes, [1 / s for s in meta['scale_factor']])
        return InstanceData(bboxes=boxes, scores=scores, labels=labels,
                            attribute_scores=attr, category_scores=cat)

    def _forward(self, batch_inputs: Tensor, batch_data_samples: Optional[list] = None):
        """``'tensor'`` mode: RPN outputs and the RoI head's (embeds, deltas) on proposals."""
        x = self.extract_feat(batch_inputs)
        rpn_outs = self.rpn_head(x)
        if batch_data_samples is None:
            return rpn_outs
        proposals = self.rpn_head.predict(x, batch_data_samples, rescale=False)
        return rpn_outs, self.roi_head(x, bbox2roi([p.bboxes for p in proposals]))
