"""Mask-adapted CLIP: contrastive fine-tuning on (masked region, noun) pairs."""
from typing import Dict, List, Optional, Sequence, Union

import open_clip
import torch
import torch.nn.functional as F
from mmengine.dist import get_dist_info
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from ..clip import CLIPTextEncoder, TextClassifier, clip_data_preprocessor
from .mask_prompt_clip import MaskPromptViT

TRAINABLE = ('image', 'prompt', 'image+prompt')


@MODELS.register_module()
class MaskAdaptedCLIP(BaseModel):
    """Adapt CLIP's image tower to masked crops with the CLIP loss, text tower locked.

    OVSeg (https://arxiv.org/abs/2210.04150), Sec. 3.2-3.3 and its ``open_clip_training``
    recipe: symmetric InfoNCE (``open_clip.ClipLoss``) between masked-crop embeddings and
    the raw nouns' text embeddings (no template), other pairs of the batch as negatives,
    trainable logit scale, text tower frozen. ``trainable`` picks the run:

    - ``'image'``: full fine-tuning of the image tower, mean fill, no prompts (Table 3b);
    - ``'prompt'``: mask prompt tuning, only ``mask_embedding`` (and the logit scale)
      learn (Table 3a; 3c when started from an ``'image'`` run);
    - ``'image+prompt'``: both at once (Table 5, "simultaneous").

    ``loss(): inputs * region_mask -> tower.encode_masked() -> ClipLoss(., text_encoder(nouns))``
    ``predict(): tower.encode_masked() -> classifier() -> crop_scores`` (zero-shot accuracy
    on labelled regions with ``ZeroShotClassificationMetric``).

    Args:
        image_tower (dict): :class:`MaskPromptViT` config.
        text_encoder (dict): ``OVCLIPTextEncoder`` config (frozen whatever it says).
        trainable (str): ``'image'``, ``'prompt'`` or ``'image+prompt'``.
            Defaults to ``'prompt'``.
        templates (str | Sequence[str]): templates of the evaluation classifier.
            Defaults to ``'vild'``.
        loss (dict, optional): ``open_clip.ClipLoss`` keyword arguments. Defaults to None.
        data_preprocessor (dict, optional): Defaults to
            :func:`~ovseg.models.clip.clip_data_preprocessor`.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self, *, image_tower: dict, text_encoder: dict, trainable: str = 'prompt',
                 templates: Union[str, Sequence[str]] = 'vild', loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or clip_data_preprocessor(),
                         init_cfg=init_cfg)
        if trainable not in TRAINABLE:
            raise ValueError(f'trainable must be one of {TRAINABLE}, not {trainable!r}')
        self.image_tower: MaskPromptViT = MODELS.build(image_tower)
        if not isinstance(self.image_tower, MaskPromptViT):
            raise TypeError('image_tower must be a MaskPromptViT')
        encoder: CLIPTextEncoder = MODELS.build(text_encoder)
        encoder.requires_grad_(False)
        self.classifier = TextClassifier(text_encoder=encoder, templates=templates)
        self.logit_scale = nn.Parameter(encoder.logit_scale.detach().clone())
        self.trainable = trainable
        if trainable == 'prompt':
            self.image_tower.visual.requires_grad_(False)
        if trainable == 'image':
            self.image_tower.mask_embedding.requires_grad_(False)
            self.image_tower.use_mask_prompt = False
        rank, world_size = get_dist_info()
        self.loss_fn = open_clip.ClipLoss(**dict(dict(rank=rank, world_size=world_size),
                                                 **(loss or {})))

    @property
    def text_encoder(self) -> CLIPTextEncoder:
        """The frozen text tower."""
        return self.classifier.text_encoder

    @property
    def model_name(self) -> str:
        """open_clip architecture (for ``ExportCLIPHook``)."""
        return self.image_tower.model_name

    def init_weights(self) -> None:
        """Load both towers, then start the logit scale from the checkpoint's."""
        super().init_weights()
        with torch.no_grad():
            self.logit_scale.copy_(self.text_encoder.logit_scale)

    def train(self, mode: bool = True) -> 'MaskAdaptedCLIP':
        """Switch mode; the frozen text tower stays in eval."""
        super().train(mode)
        self.text_encoder.eval()
        if self.trainable == 'prompt':
            self.image_tower.visual.eval()
        return self

    def set_vocabulary(self, names: Union[str, Sequence[str]]) -> None:
        """Classes that :meth:`predict` scores regions against."""
        self.classifier.set_vocabulary(names)

    def clip_state_dict(self) -> Dict[str, Tensor]:
        """open_clip ``CLIP`` layout plus ``visual.mask_embedding``; the tuned logit scale."""
        state = {f'visual.{k}': v for k, v in self.image_tower.visual.state_dict().items()}
        state['visual.mask_embedding'] = self.image_tower.mask_embedding
        state.update(self.text_encoder.state_dict())
        state['logit_scale'] = self.logit_scale
        return {k: v.detach().cpu().clone() for k, v in state.items()}

    def _encode_regions(self, inputs: Tensor, data_samples: List[BaseDataElement]) -> Tensor:
        """(B, 3, S, S) normalised crops -> (B, D) embeddings, L2-normalised over D."""
        masks = torch.stack([s.region_mask for s in data_samples]).to(inputs)  # (B, S, S)
        crops = inputs * masks[:, None]  # exact mean fill: 0 after normalisation
        return F.normalize(self.image_tower.encode_masked(crops, masks), dim=-1)

    @torch.no_grad()
    def _encode_nouns(self, nouns: Sequence[str]) -> Tensor:
        """B raw nouns (no template) -> (B, D), L2-normalised over D."""
        encoder = self.text_encoder
        tokens = encoder.tokenize(list(nouns)).to(encoder.token_embedding.weight.device)
        length = int((tokens != 0).sum(dim=1).max()) if encoder.attn_mask is not None else None
        return F.normalize(encoder(tokens[:, :length]), dim=-1)

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        """mmengine modes.

        Args:
            inputs (Tensor): (B, 3, S, S) CLIP-normalised RGB crops.
            data_samples (list[BaseDataElement]): with ``region_mask`` (S, S) float {0, 1},
                ``text`` (str, for ``loss``) and ``gt_label`` (for evaluation).
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.

        Returns:
            ``'loss'``: ``loss_contrastive`` and the detached ``logit_scale`` (exp).
            ``'predict'``: the samples with ``crop_scores`` (1, K) cosines to the vocabulary
            and ``gt_crop_labels`` (1,). ``'tensor'``: region embeddings (B, D), normalised.
        """
        if mode == 'loss':
            image = self._encode_regions(inputs, data_samples)  # (B, D)
            text = self._encode_nouns([s.text for s in data_samples])  # (B, D)
            scale = self.logit_scale.exp()
            return dict(loss_contrastive=self.loss_fn(image, text, scale),
                        logit_scale=scale.detach())
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._encode_regions(inputs, data_samples)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', not {mode!r}")

    @torch.no_grad()
    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Zero-shot scores of each region against the vocabulary (see :meth:`forward`)."""
        if self.classifier.vocabulary is None:
            raise RuntimeError('Call set_vocabulary(names) before predicting.')
        scores = self._encode_regions(inputs, data_samples) @ self.classifier().t()  # (B, K)
        for sample, row in zip(data_samples, scores):
            sample.crop_scores = row[None]
            sample.gt_crop_labels = sample.gt_label.reshape(1)
        return data_samples
