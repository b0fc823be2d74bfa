"""Pixel-text matching loss of DenseCLIP as an mmseg decode head."""
from typing import List, Tuple, Union

from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class IdentityHead(BaseDecodeHead):
    """Auxiliary head whose logits are its input: the pixel-text score map divided by tau.

    DenseCLIP, Rao et al., CVPR 2022, https://arxiv.org/abs/2112.01518: the auxiliary
    pixel-text loss of Sec. 3.2. :meth:`BaseDecodeHead.loss_by_feat` upsamples the
    (B, K, h, w) logits bilinearly to the label size and applies ``loss_decode``
    (cross-entropy, ignore 255, weight 0.4 in DenseCLIP).

    The head has no parameters: ``conv_seg`` is removed and ``init_cfg`` is None (the
    mmseg default would try to initialise the missing ``conv_seg``). The number of
    classes follows the input (the vocabulary may change), so ``num_classes`` only
    satisfies :class:`BaseDecodeHead`.

    Args:
        loss_decode (dict | list[dict]): loss config. Defaults to cross-entropy with
            weight 0.4.
        align_corners (bool): for the upsampling to label size. Defaults to False.
        ignore_index (int): label ignored by the loss. Defaults to 255.
        num_classes (int): nominal class count (> 1 keeps mmseg in softmax mode).
            Defaults to 2.

    Examples:
        >>> import torch
        >>> head = IdentityHead()
        >>> head(torch.randn(2, 5, 4, 4)).shape
        torch.Size([2, 5, 4, 4])
    """

    def __init__(self, *, loss_decode: Union[dict, List[dict]] = dict(
                     type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4),
                 align_corners: bool = False, ignore_index: int = 255,
                 num_classes: int = 2) -> None:
        super().__init__(in_channels=1, channels=1, num_classes=num_classes,
                         out_channels=num_classes, dropout_ratio=0.0,
                         loss_decode=loss_decode, align_corners=align_corners,
                         ignore_index=ignore_index, init_cfg=None)
        del self.conv_seg
        self.dropout = None

    def forward(self, inputs: Union[Tensor, Tuple[Tensor]]) -> Tensor:
        """Return the logits unchanged.

        Args:
            inputs (Tensor | tuple[Tensor]): (B, K, h, w) score-map logits (cosine / tau),
                or a one-element tuple holding them.

        Returns:
            Tensor: (B, K, h, w) the same logits.
        """
        if isinstance(inputs, (list, tuple)):
            (inputs,) = inputs
        return inputs
