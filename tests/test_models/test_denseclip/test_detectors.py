import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import init_default_scope

from denseclip_utils import VOCAB, det_batch, tiny_det_cfg
from ovseg.models.denseclip import box_seg_loss
from ovseg.models.denseclip.detectors import box_seg_targets


def _build(kind, vocab=VOCAB):
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(tiny_det_cfg(kind))
    model.init_weights()
    if vocab is not None:
        model.set_vocabulary(vocab)
    return model


@pytest.mark.parametrize('kind, seg_key', [('retinanet', 'loss_seg'),
                                           ('mask-rcnn', 'loss_aux_seg')])
def test_loss_predict(kind, seg_key):
    model = _build(kind)
    assert [c.conv.in_channels for c in model.neck.lateral_convs][-1] == 256 + len(VOCAB)
    inputs, samples = det_batch(with_mask=kind == 'mask-rcnn')
    losses = model.loss(inputs, samples)
    assert seg_key in losses and torch.isfinite(losses[seg_key])
    total = sum(v if torch.is_tensor(v) else sum(v) for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert model.contexts.grad is not None and model.gamma.grad is not None
    assert all(p.grad is None for p in model.text_encoder.parameters())
    model.eval()
    with torch.no_grad():
        out = model.predict(inputs[:, :, :50, :45], samples)  # padded to 64 inside
        feats = model(inputs, samples, mode='tensor')
    assert out[0].pred_instances.bboxes.shape[1] == 4
    assert len(feats) > 0


def test_vocabulary_size_must_match():
    model = _build('retinanet', vocab=None)
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model.loss(*det_batch())
    with pytest.raises(ValueError, match='num_classes=4'):
        model.set_vocabulary(['a', 'b'])


def test_box_seg_targets_clamp_to_the_last_cell_as_the_original():
    """A box reaching the image border: the original clamps x2/y2 to W-1/H-1 (not W/H)."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    sample = DetDataSample(gt_instances=InstanceData(  # image 32x24 -> 8x6 cells at stride 4
        bboxes=torch.tensor([[8., 4., 32., 24.], [-3., -3., 5., 9.]]), labels=torch.tensor([2, 0])))
    target, mask = box_seg_targets((6, 8), 4.0, [sample], num_classes=3)
    expected = torch.zeros(6, 8)
    expected[1:5, 2:7] = 1  # x 2..7, y 1..5 clamped to 7 / 5, exclusive ends
    torch.testing.assert_close(target[0, 2], expected)
    assert mask[0, 0, :, 7].sum() == 0 and mask[0, 0, 5].sum() == 0  # last column/row
    first = torch.zeros(6, 8)
    first[0:2, 0:1] = 1  # (-3, -3, 5, 9) / 4 -> (0, 0, 1, 2)
    torch.testing.assert_close(target[0, 0], first)
    torch.testing.assert_close(mask[0, 0], ((expected + first) > 0).float())


def test_box_seg_loss_targets():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    sample = DetDataSample(gt_instances=InstanceData(
        bboxes=torch.tensor([[0., 0., 8., 8.]]), labels=torch.tensor([1])))
    logits = torch.zeros(1, 3, 2, 2, requires_grad=True)
    loss = box_seg_loss(logits, (4, 4), 4.0, [sample])
    # 2x2 cells inside the box, K=3 channels each: BCE(0 logit) = log 2 everywhere
    assert loss.item() == pytest.approx(torch.log(torch.tensor(2.)).item(), rel=1e-5)
    loss.backward()
    # no gradient comes from outside the box
    big = torch.zeros(1, 3, 4, 4)
    big[0, 1, :2, :2] = 10
    big[0, 0, :2, :2] = -10
    big[0, 2, :2, :2] = -10
    big[0, :, 2:, :] = 5  # ignored
    assert box_seg_loss(big, (4, 4), 4.0, [sample]).item() < 1e-3
