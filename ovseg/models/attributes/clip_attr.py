"""CLIP-Attr: the two-stage attribute recogniser (region crops -> prompt-learned CLIP)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.structures import BaseDataElement, InstanceData
from torch import Tensor, nn

from ..clip import (CLIP_MEAN, CLIPTextEncoder, build_clip_towers,
                    clip_data_preprocessor, load_clip_towers)
from .crops import crop_boxes
from .prompt_classifier import AttributePromptClassifier
from .scoring import AttributeScoringMixin


@MODELS.register_module()
class CLIPAttr(AttributeScoringMixin, BaseModel):
    """Attributes and categories of boxed objects from CLIP crops and learned prompts.

    CLIP-Attr, the two-stage model of OvarNet (https://arxiv.org/abs/2301.09506): each
    box is cropped (:func:`crop_boxes`; the data pipeline does it for ground-truth boxes),
    encoded by CLIP's image tower and scored against prompt-learned text embeddings of
    attributes and categories (:class:`AttributePromptClassifier`):
    ``logit = exp(s) · cos(image, text)`` with a learnable scale ``s`` started from CLIP's.
    Synonym prompts are pooled per class (mean in training, max at test). Training is
    federated: a sample supervises only the label spaces its metainfo ``label_spaces``
    names (default both), through :class:`FederatedAttributeLoss`; only trained classes
    (:meth:`set_training_label_space`: seen, with labelled data) enter the loss.

    Call graph:

    - ``loss()``: ``visual(inputs)`` -> ``_text_logits()`` [``classifier.encode_prompts(
      attributes | categories)`` -> ``pool_prompt_logits(mean)``] -> ``loss_fn`` per label
      space
    - ``predict()``: the same with max pooling -> sigmoid scores per sample
    - ``predict_boxes(image, boxes)``: ``crop_boxes(test_crop_scale)`` -> data preprocessor ->
      the same as ``predict``
    - ``val_step`` / ``test_step`` on whole images whose samples carry ``proposals``
      (mmdet's ``LoadProposals`` + ``PackDetInputs``; box-free evaluation on another
      detector's boxes): ``predict_proposals`` -> ``predict_boxes`` per image; other
      batches (crops) go through the data preprocessor and ``predict`` as usual

    Args:
        model_name (str): open_clip architecture of both towers.
        pretrained (str, optional): CLIP weights (file, open_clip tag or ovseg weights
            name), loaded by :meth:`init_weights`. Defaults to None.
        num_context_tokens (int): learnable prompt vectors (three equal parts).
            Defaults to 30.
        category_type (str): parent type of categories whose vocabulary has none
            (COCO's super-categories would be per class). Defaults to ``'object'``.
        freeze_image (bool): freeze the image tower (and keep it in eval mode), as the
            released step-I config does. Defaults to True.
        freeze_text (bool): freeze the text tower (the prompt vectors still learn).
            Defaults to False.
        loss (dict): :class:`FederatedAttributeLoss` config. Defaults to
            ``dict(type='FederatedAttributeLoss', unknown_weight=0.2)``.
        category_loss_weight (float): factor on the category loss. Defaults to 1.0.
        weight_power (float): class weights ∝ labelled count ** -power. Defaults to 0.25.
        test_crop_scale (float): fixed box enlargement of :meth:`predict_boxes` (the
            training pipeline's ``1 + U(0, 0.2)`` has mean 1.1). Defaults to 1.1.
        data_preprocessor (dict, optional): defaults to
            :func:`~ovseg.models.clip.clip_data_preprocessor`.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> from ovseg.models.clip import Vocabulary
        >>> model = CLIPAttr(model_name='ovseg-tiny-rn', num_context_tokens=3)
        >>> model.set_attribute_vocabulary(Vocabulary(['red', 'striped'],
        ...                                           parents=['color', 'pattern']))
        >>> model.set_vocabulary(['circle', 'square'])
        >>> attributes, categories = model(torch.rand(4, 3, 32, 32))
        >>> tuple(attributes.shape), tuple(categories.shape)
        ((4, 2), (4, 2))
    """

    def __init__(self, *, model_name: str, pretrained: Optional[str] = None,
                 num_context_tokens: int = 30, category_type: str = 'object',
                 freeze_image: bool = True, freeze_text: bool = False,
                 loss: Optional[dict] = None, category_loss_weight: float = 1.0,
                 weight_power: float = 0.25, test_crop_scale: float = 1.1,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or clip_data_preprocessor(),
                         init_cfg=init_cfg)
        self.model_name = model_name
        self.pretrained = pretrained
        self.visual, text_encoder = build_clip_towers(model_name, freeze_text=freeze_text)
        self.freeze_image = freeze_image
        if freeze_image:
            self.visual.requires_grad_(False).eval()
        text_encoder.logit_scale.requires_grad_(False)  # the head's own copy learns
        self.classifier = AttributePromptClassifier(text_encoder=text_encoder,
                                                    num_context_tokens=num_context_tokens)
        self.logit_scale = nn.Parameter(text_encoder.logit_scale.detach().clone())
        self.loss_fn = MODELS.build(loss or dict(type='FederatedAttributeLoss',
                                                 unknown_weight=0.2))
        self.category_type = category_type
        self.category_loss_weight = category_loss_weight
        self.weight_power = weight_power
        self.test_crop_scale = test_crop_scale
        self._init_vocabularies()

    @property
    def text_encoder(self) -> CLIPTextEncoder:
        """The text tower inside the prompt classifier."""
        return self.classifier.text_encoder

    @property
    def crop_size(self) -> int:
        """S, the side of the square crops: the image tower's input size."""
        size = self.visual.image_size
        return size[0] if isinstance(size, (tuple, list)) else size

    def init_weights(self) -> None:
        """Apply ``init_cfg``, load both towers from ``pretrained``, start the scale from CLIP's."""
        super().init_weights()
        if self.pretrained is not None:
            load_clip_towers(self.model_name, self.pretrained, visual=self.visual,
                             text=self.text_encoder)
        with torch.no_grad():
            self.logit_scale.copy_(self.text_encoder.logit_scale)

    def train(self, mode: bool = True) -> 'CLIPAttr':
        """Switch mode; a frozen image tower stays in eval (its BatchNorm statistics too)."""
        super().train(mode)
        if self.freeze_image:
            self.visual.eval()
        return self

    # scoring -------------------------------------------------------------------------------
    def _logits(self, inputs: Tensor, mode: str) -> Tuple[Tensor, Tensor]:
        """(B, 3, S, S) crops -> attribute (B, A) and category (B, K) logits."""
        if self._attributes is None or self._categories is None:
            raise RuntimeError('Call set_attribute_vocabulary() and set_vocabulary() first.')
        return self._text_logits(F.normalize(self.visual(inputs), dim=-1), mode)  # (B, D)

    def loss(self, inputs: Tensor, data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """Federated BCE of attributes and categories (see the class docstring)."""
        attr_logits, cat_logits = self._logits(inputs, 'mean')
        device = attr_logits.device
        attr_targets = torch.stack([s.gt_attributes for s in data_samples]).to(device)  # (B, A)
        labels = torch.stack([s.gt_label.reshape(()) for s in data_samples]).to(device)  # (B,)
        cat_targets = F.one_hot(labels.clamp(min=0), len(self._categories))  # (B, K)
        cat_mask = self._sample_mask(data_samples, 'category').to(device) & (labels >= 0)
        return dict(
            loss_attribute=self.loss_fn(attr_logits, attr_targets,
                                        sample_mask=self._sample_mask(data_samples, 'attribute'),
                                        class_weights=self.attribute_weights),
            loss_category=self.category_loss_weight * self.loss_fn(
                cat_logits, cat_targets, sample_mask=cat_mask,
                class_weights=self.category_weights),
            logit_scale=self.logit_scale.exp().detach())

    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Sigmoid scores: ``pred_attribute_scores`` (A,) and ``pred_category_scores`` (K,)."""
        attr_logits, cat_logits = self._logits(inputs, 'max')
        for sample, attr, cat in zip(data_samples, attr_logits.sigmoid(), cat_logits.sigmoid()):
            sample.pred_attribute_scores = attr
            sample.pred_category_scores = cat
        return data_samples

    @torch.no_grad()
    def predict_boxes(self, image: Tensor, boxes: Tensor) -> Tuple[Tensor, Tensor]:
        """Scores of given boxes (or proposals) of one image, cropped as at test.

        Args:
            image (Tensor): (3, H, W) uint8 image in the data preprocessor's input channel
                order (BGR from ``LoadImageFromFile``).
            boxes (Tensor): (N, 4) x1, y1, x2, y2 pixels.

        Returns:
            tuple[Tensor, Tensor]: sigmoid attribute (N, A) and category (N, K) scores.
        """
        mean = CLIP_MEAN[::-1] if self.data_preprocessor._channel_conversion else CLIP_MEAN
        crops = crop_boxes(image, boxes, size=self.crop_size, scales=self.test_crop_scale,
                           pad_value=[round(v) for v in mean])  # (N, 3, S, S)
        inputs = self.data_preprocessor(dict(inputs=list(crops)))['inputs']
        attr_logits, cat_logits = self._logits(inputs, 'max')
        return attr_logits.sigmoid(), cat_logits.sigmoid()

    def predict_proposals(self, images: List[Tensor],
                          data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score each image's ``proposals`` (box-free evaluation on given boxes).

        Args:
            images (list[Tensor]): B (3, H, W) uint8 images as loaded (not resized: the
                proposals are in original pixels, and mmdet's ``Resize`` leaves them alone).
            data_samples (list[DetDataSample]): with ``proposals.bboxes`` (N, 4) x1y1x2y2.

        Returns:
            list[DetDataSample]: the samples with ``pred_instances``: ``bboxes`` (N, 4) (the
            proposals), ``attribute_scores`` (N, A), ``category_scores`` (N, K), ``labels``
            (N,) the best category and ``scores`` (N,) its probability (as OvarNet's).
        """
        for image, sample in zip(images, data_samples):
            if tuple(sample.img_shape[:2]) != tuple(sample.ori_shape[:2]):
                raise ValueError(f"{sample.get('img_path', 'an image')}: proposals are in "
                                 f'original pixels but the image was resized from '
                                 f'{sample.ori_shape} to {sample.img_shape}; drop the '
                                 'Resize from the pipeline')
            boxes = sample.proposals.bboxes.float().reshape(-1, 4)
            if len(boxes):
                attributes, categories = self.predict_boxes(image, boxes)
            else:  # (no crops to encode)
                attributes = boxes.new_zeros(0, len(self._attributes))
                categories = boxes.new_zeros(0, len(self._categories))
            scores, labels = categories.max(dim=1)  # (N,)
            sample.pred_instances = InstanceData(
                bboxes=boxes.to(attributes.device), attribute_scores=attributes,
                category_scores=categories, scores=scores, labels=labels)
        return data_samples

    def val_step(self, data: dict) -> list:
        """``predict_proposals`` for samples with ``proposals``, else mmengine's step."""
        samples = data.get('data_samples') if isinstance(data, dict) else None
        if samples and all('proposals' in sample for sample in samples):
            return self.predict_proposals(list(data['inputs']), samples)
        if samples and any('gt_instances' in sample for sample in samples):
            raise ValueError('CLIP-Attr got whole images (per-image samples) without '
                             "proposals: give the dataset a proposal_file and mmdet's "
                             'LoadProposals in the pipeline')
        return super().val_step(data)

    def test_step(self, data: dict) -> list:
        """As :meth:`val_step`."""
        return self.val_step(data)

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        """mmengine modes.

        Args:
            inputs (Tensor): (B, 3, S, S) CLIP-normalised RGB crops.
            data_samples (list[BaseDataElement]): with ``gt_attributes`` (A,) int64
                (1 / 0 / -1), ``gt_label`` (category, -1 if none) and metainfo
                ``label_spaces``.
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.

        Returns:
            ``'loss'``: ``loss_attribute``, ``loss_category`` (scalars) and ``logit_scale``.
            ``'predict'``: the samples with ``pred_attribute_scores`` (A,) and
            ``pred_category_scores`` (K,), sigmoid probabilities.
            ``'tensor'``: attribute (B, A) and category (B, K) logits (max-pooled synonyms).
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._logits(inputs, 'max')
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', not {mode!r}")
