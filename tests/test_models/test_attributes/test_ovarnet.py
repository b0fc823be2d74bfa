"""Tests for ovseg/models/attributes/ovarnet.py (OvarNet on a tiny ResNet CLIP)."""
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from ovseg.compat import CheckpointMismatchError
from ovseg.models.attributes import CLIPAttr, OvarNet, crop_boxes
from ovseg.models.clip import CLIP_MEAN, Vocabulary
from ovseg.testing import TINY_RN, tiny_ovarnet_config

ATTRIBUTES = Vocabulary(['red', 'blue', 'striped'], parents=['color', 'color', 'pattern'])
CATEGORIES = ['circle', 'square, box']


def _model(**kwargs) -> OvarNet:
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(tiny_ovarnet_config(**kwargs))
    model.init_weights()
    model.set_attribute_vocabulary(ATTRIBUTES)
    model.set_vocabulary(CATEGORIES)
    return model


def _sample(boxes, labels, attributes, *, exhaustive=True, spaces=('attribute', 'category')):
    sample = DetDataSample(metainfo=dict(
        img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1.0, 1.0),
        batch_input_shape=(64, 64), pad_shape=(64, 64), boxes_exhaustive=exhaustive,
        label_spaces=spaces))
    sample.gt_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float),
                                       labels=torch.tensor(labels),
                                       attributes=torch.tensor(attributes))
    return sample


def _batch():
    return [_sample([[4, 4, 30, 30], [30, 20, 60, 50]], [0, 1], [[1, 0, -1], [0, 1, 1]]),
            _sample([[10, 10, 40, 40]], [1], [[-1, 1, 0]])]


def test_modes_give_documented_shapes():
    torch.manual_seed(0)
    model = _model()
    inputs = torch.randn(2, 3, 64, 64)
    losses = model.loss(inputs, _batch())
    assert {'loss_rpn_cls', 'loss_rpn_bbox', 'loss_bbox', 'loss_attribute', 'loss_category',
            'loss_kd_attribute', 'loss_kd_category', 'logit_scale'} <= set(losses)
    model.eval()
    model.test_cfg.rcnn.boxes_given = True
    given = model.predict(inputs, _batch())
    assert given[0].pred_attribute_scores.shape == (2, 3)
    assert given[1].pred_category_scores.shape == (1, 2)
    torch.testing.assert_close(given[0].pred_instances.bboxes,
                               torch.tensor([[4., 4., 30., 30.], [30., 20., 60., 50.]]))
    assert given[0].gt_attributes.tolist() == [[1, 0, -1], [0, 1, 1]]
    assert given[0].gt_label.tolist() == [0, 1]
    model.test_cfg.rcnn.update(boxes_given=False, score_thr=0.0, max_per_img=5)
    detected = model.predict(inputs, _batch())[0].pred_instances
    num = len(detected)
    assert 0 < num <= 5 and detected.bboxes.shape == (num, 4)
    assert detected.attribute_scores.shape == (num, 3)
    torch.testing.assert_close(detected.scores, detected.category_scores.max(dim=1).values)


def test_detection_scores_multiply_the_rpn_objectness_when_asked():
    from mmengine.config import ConfigDict
    torch.manual_seed(0)
    model = _model().eval()
    inputs = torch.randn(2, 3, 64, 64)
    # no threshold and no NMS: one detection per proposal, in the proposals' order
    model.test_cfg.rcnn = ConfigDict(boxes_given=False, score_thr=-1.0,
                                     multiply_objectness=True)
    detected = model.predict(inputs, _batch())[0].pred_instances
    proposals = model.rpn_head.predict(model.extract_feat(inputs), _batch(), rescale=False)[0]
    assert len(detected) == len(proposals) > 0
    torch.testing.assert_close(
        detected.scores, detected.category_scores.max(dim=1).values * proposals.scores)
    model.test_cfg.rcnn.multiply_objectness = False  # the default: the category alone
    detected = model.predict(inputs, _batch())[0].pred_instances
    torch.testing.assert_close(detected.scores, detected.category_scores.max(dim=1).values)


def test_box_losses_ignore_images_whose_boxes_are_not_exhaustive():
    """RPN and box regression see only exhaustive images; attribute losses see all."""
    model = _model(teacher=None).eval()  # eval: no dropout, so repeated losses compare
    inputs = torch.randn(2, 3, 64, 64)

    def losses(second_boxes, exhaustive):
        torch.manual_seed(0)  # the samplers draw the same anchors and proposals
        batch = [_batch()[0], _sample(second_boxes, [1], [[-1, 1, 0]], exhaustive=exhaustive,
                                      spaces=('attribute',))]
        out = model.loss(inputs, batch)
        return {k: sum(v) if isinstance(v, list) else v for k, v in out.items()}

    base = losses([[10, 10, 40, 40]], exhaustive=False)
    moved = losses([[2, 30, 20, 62]], exhaustive=False)
    for key in ('loss_rpn_cls', 'loss_rpn_bbox', 'loss_bbox'):
        torch.testing.assert_close(base[key], moved[key])
    assert base['loss_attribute'] != moved['loss_attribute']  # the box itself still counts
    counted = losses([[2, 30, 20, 62]], exhaustive=True)
    assert counted['loss_rpn_cls'] != moved['loss_rpn_cls']
    # no exhaustive image at all: zero box losses that still reach the parameters
    torch.manual_seed(0)
    out = model.loss(inputs, [_sample([[4, 4, 30, 30]], [0], [[1, 0, -1]], exhaustive=False)])
    assert out['loss_rpn_cls'].item() == 0 and out['loss_bbox'].requires_grad


def test_distillation_covers_every_class_and_leaves_the_teacher_untouched():
    torch.manual_seed(0)
    model = _model()
    model.set_training_label_space(attribute_trained=[True, True, False],
                                   category_trained=[True, False])  # 'striped', 'square' unseen
    model.eval()  # deterministic student logits to compare with
    inputs = torch.randn(2, 3, 64, 64)
    batch = _batch()
    losses = model.loss(inputs, batch)
    boxes = [s.gt_instances.bboxes for s in batch]
    student_attr, student_cat, _ = model._region_logits(model.extract_feat(inputs), boxes,
                                                        'mean')
    teacher_attr, teacher_cat = model.teacher_logits(inputs, boxes)
    assert teacher_attr.shape == (3, 3) and teacher_cat.shape == (3, 2)

    def kl(student, teacher):  # by hand: KL(p_teacher || p_student) over the given classes
        p, q = teacher.softmax(-1), student.softmax(-1)
        return (p * (p.log() - q.log())).sum(-1).mean()

    torch.testing.assert_close(losses['loss_kd_attribute'],
                               0.5 * kl(student_attr, teacher_attr))
    torch.testing.assert_close(losses['loss_kd_category'], kl(student_cat, teacher_cat))
    # over the seen classes only it would differ: the unseen ones are in
    seen_only = 0.5 * kl(student_attr[:, :2], teacher_attr[:, :2])
    assert not torch.isclose(losses['loss_kd_attribute'], seen_only)
    assert sum(v.sum() for k, v in losses.items() if k.startswith('loss_kd')).requires_grad

    model.train()
    losses = model.loss(inputs, batch)
    total = sum(sum(v) if isinstance(v, list) else v for k, v in losses.items()
                if k.startswith('loss'))
    total.backward()
    teacher = model.teacher
    assert not teacher.training and not any(p.requires_grad for p in teacher.parameters())
    assert all(p.grad is None for p in teacher.parameters())
    assert model.roi_head.cls_proj[0].weight.grad.abs().sum() > 0
    assert model.backbone.visual.conv1.weight.grad is None  # frozen CLIP image tower
    assert model.classifier.context.grad is None  # fixed text embeddings (freeze_text)
    own = {id(p) for p in model.parameters()}
    assert not own & {id(p) for p in teacher.parameters()}
    assert not [k for k in model.state_dict() if k.startswith('teacher')]


def test_teacher_loads_strictly_and_hands_over_its_prompts(tmp_path):
    teacher = CLIPAttr(model_name=TINY_RN, num_context_tokens=3, category_type='shape')
    with torch.no_grad():
        teacher.classifier.context.normal_()
        teacher.logit_scale.fill_(2.0)
    path = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, path)
    model = _model(checkpoint=path)
    torch.testing.assert_close(model.teacher.state_dict(), teacher.state_dict())
    torch.testing.assert_close(model.classifier.context, teacher.classifier.context)
    assert model.logit_scale.item() == pytest.approx(2.0)

    other = CLIPAttr(model_name=TINY_RN, num_context_tokens=6)  # another prompt length
    torch.save({'state_dict': other.state_dict()}, path)
    with pytest.raises(CheckpointMismatchError, match='teacher'):
        _model(checkpoint=path)


def test_distill_keys_are_checked():
    cfg = tiny_ovarnet_config()
    cfg.distill.teacher_weights = 'x.pth'
    with DefaultScope.overwrite_default_scope('mmdet'), \
            pytest.raises(ValueError, match="unknown keys \\['teacher_weights'\\]"):
        MODELS.build(cfg)


def test_teacher_crops_match_clip_attr_boxes():
    """The teacher sees the boxes as CLIP-Attr's test crops (fixed scale, mean padding),
    within the image, not the batch padding."""
    model = _model().eval()
    image = torch.randint(0, 256, (3, 50, 60), dtype=torch.uint8)  # padded to 64 x 64
    boxes = torch.tensor([[4., 6., 30., 48.], [20., 10., 59., 30.]])  # touch the border
    data = model.data_preprocessor(dict(inputs=[image], data_samples=[_batch()[0]]))
    assert data['inputs'].shape[-2:] == (64, 64)
    teacher = model.teacher
    expected = teacher.data_preprocessor(dict(inputs=list(crop_boxes(
        image, boxes, size=teacher.crop_size, scales=teacher.test_crop_scale,
        pad_value=[round(v) for v in CLIP_MEAN[::-1]]))))['inputs']  # predict_boxes' input
    crops = model.teacher_crops(data['inputs'], [boxes], [(50, 60)])
    torch.testing.assert_close(crops, expected, atol=0.02, rtol=0)  # uint8 rounding apart
    assert (model.teacher_crops(data['inputs'], [boxes]) - expected).abs().max() > 0.1
    attr, cat = model.teacher_logits(data['inputs'], [boxes], [(50, 60)])
    expected_attr, expected_cat = teacher.predict_boxes(image, boxes)
    torch.testing.assert_close(attr.sigmoid(), expected_attr, atol=2e-3, rtol=0)
    torch.testing.assert_close(cat.sigmoid(), expected_cat, atol=2e-3, rtol=0)


def test_given_boxes_are_read_in_original_pixels():
    """Test pipelines load the GT boxes after ``Resize`` (original pixels): an image enlarged
    2x scores the boxes at twice their coordinates and returns them as given."""
    torch.manual_seed(0)
    model = _model().eval()
    model.test_cfg.rcnn.boxes_given = True
    inputs = torch.randn(1, 3, 64, 64)
    boxes = [[4, 4, 30, 30], [30, 20, 60, 50]]
    unscaled = model.predict(inputs, [_sample(boxes, [0, 1], [[1, 0, -1], [0, 1, 1]])])[0]
    halved = _sample([[v / 2 for v in b] for b in boxes], [0, 1], [[1, 0, -1], [0, 1, 1]])
    halved.set_metainfo(dict(ori_shape=(32, 32), scale_factor=(2.0, 2.0)))
    enlarged = model.predict(inputs, [halved])[0]
    torch.testing.assert_close(enlarged.pred_attribute_scores, unscaled.pred_attribute_scores)
    torch.testing.assert_close(enlarged.pred_category_scores, unscaled.pred_category_scores)
    torch.testing.assert_close(enlarged.pred_instances.bboxes, halved.gt_instances.bboxes)
