"""DenseCLIPSegmentor: modes, text path, freezing, lr groups, vocabulary, bad inputs."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.optim.scheduler import PolyLR

from denseclip_utils import VOCAB, build_seg, seg_batch


def test_loss_predict_tensor(arch):
    model = build_seg(arch)
    inputs, samples = seg_batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg', 'aux_identity.loss_ce',
                           'aux_identity.acc_seg'}
    assert all(torch.isfinite(v) for v in losses.values())
    model.eval()
    with torch.no_grad():
        out = model.predict(inputs, samples)
        tensor = model(inputs, mode='tensor')
    assert out[0].pred_sem_seg.shape == (64, 64)
    assert out[0].seg_logits.data.shape == (len(VOCAB), 64, 64)
    assert tensor.shape == (2, len(VOCAB), 16, 16)


def test_text_path_shapes_and_gamma(arch):
    model = build_seg(arch).eval()
    assert torch.all(model.gamma == 1e-4) and model.gamma.shape == (32,)
    assert model.contexts.shape == (1, 8, 64)
    with torch.no_grad():
        *levels, (glob, dense) = model.backbone(torch.randn(2, 3, 64, 64))
        text, score = model._language_guide(glob, dense)
        fused, score2 = model.after_extract_feat([*levels, (glob, dense)])
    assert text.shape == (2, len(VOCAB), 32)
    assert score.shape == (2, len(VOCAB), *dense.shape[-2:])
    assert score.abs().max() <= 1 + 1e-5
    i = model.score_concat_index
    assert fused[i].shape[1] == levels[i].shape[1] + len(VOCAB)
    assert model.neck.lateral_convs[i].conv.in_channels == levels[i].shape[1] + len(VOCAB)


def test_frozen_text_encoder_gets_no_grad_contexts_do():
    model = build_seg('rn')
    assert not any(p.requires_grad for p in model.text_encoder.parameters())
    inputs, samples = seg_batch()
    loss = sum(v for k, v in model.loss(inputs, samples).items() if 'loss' in k)
    loss.backward()
    assert all(p.grad is None for p in model.text_encoder.parameters())
    for p in (model.contexts, model.gamma, model.backbone.visual.attnpool.c_proj.weight):
        assert p.grad is not None and p.grad.abs().sum() > 0


def _groups_by_name(model, optim_wrapper):
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: g for g in optim_wrapper.optimizer.param_groups for p in g['params']}


SCHEDULE = dict(
    type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1),
                                    'text_encoder': dict(lr_mult=0.0),
                                    'norm': dict(decay_mult=0.0)}))


def test_paramwise_lr_groups():
    model = build_seg('rn')
    groups = _groups_by_name(model, build_optim_wrapper(model, SCHEDULE))
    assert groups['backbone.visual.layer1.0.conv1.weight']['lr'] == pytest.approx(1e-5)
    # frozen (requires_grad=False) weights are not even handed to the optimizer
    assert not any(name.startswith('text_encoder.') for name in groups)
    for name in ('contexts', 'gamma', 'context_decoder.text_proj.1.weight',
                 'neck.lateral_convs.0.conv.weight', 'decode_head.conv_seg.weight'):
        assert groups[name]['lr'] == pytest.approx(1e-4), name
        assert groups[name]['weight_decay'] == pytest.approx(1e-4), name
    assert groups['context_decoder.decoder.0.norm1.weight']['weight_decay'] == 0


@pytest.mark.parametrize('freeze', [True, False])
def test_text_encoder_drift_under_min_lr(freeze):
    """PolyLR's absolute eta_min lifts the lr-0 text-encoder group above 0 (the original's
    drift); with ``freeze=True`` the weights are outside the optimizer and stay put."""
    cfg = dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-rn', freeze=freeze)
    model = build_seg('rn', text_encoder=cfg)
    wrapper = build_optim_wrapper(model, SCHEDULE)
    sched = PolyLR(wrapper.optimizer, eta_min=1e-3, power=0.9, by_epoch=False, end=4)
    before = {k: v.clone() for k, v in model.text_encoder.state_dict().items()}
    contexts = model.contexts.detach().clone()
    inputs, samples = seg_batch()
    for _ in range(2):
        sched.step()
        losses = model.loss(inputs, samples)
        wrapper.update_params(sum(v for k, v in losses.items() if 'loss' in k))
    moved = [k for k, v in model.text_encoder.state_dict().items() if not torch.equal(v, before[k])]
    assert (moved == []) == freeze
    assert not torch.equal(model.contexts, contexts)


def test_vocabulary_change_at_test_time(arch):
    model = build_seg(arch, test_cfg=dict(mode='whole', predict_from='auto')).eval()
    inputs, samples = seg_batch()
    with pytest.warns(UserWarning, match='score map'):
        model.set_vocabulary(['cat', 'dog', 'sky', 'road', 'car', 'person'])
    assert model.out_channels == 6
    with torch.no_grad():
        out = model.predict(inputs, samples)
    assert out[0].seg_logits.data.shape == (6, 64, 64)
    with pytest.raises(ValueError, match='num_classes=4'):
        model.train().loss(inputs, samples)
    model.set_vocabulary(VOCAB)  # back to the trained size: decode head again
    assert model.out_channels == len(VOCAB)


def test_score_map_prediction_and_slide():
    model = build_seg('rn', test_cfg=dict(mode='slide', crop_size=(64, 64), stride=(48, 48),
                                          predict_from='score_map')).eval()
    inputs, samples = seg_batch(1, size=(64, 100))
    with torch.no_grad():
        out = model.predict(inputs, samples)
    assert out[0].seg_logits.data.shape == (len(VOCAB), 64, 100)
    # score-map logits are cosine / tau
    assert out[0].seg_logits.data.abs().max() <= 1 / 0.07 + 1e-3


def test_text_cache():
    model = build_seg('rn').eval()
    with torch.no_grad():
        a = model._class_text()
        assert model._class_text() is a  # cached
        model.contexts.add_(1)  # in-place update invalidates
        b = model._class_text()
    assert b is not a and not torch.allclose(a, b)
    assert a.shape == (len(VOCAB), 32)  # the synonym rule: test_language_guide.py


def test_bad_inputs():
    model = build_seg('rn', vocab=None)
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model.loss(*seg_batch())
    with pytest.raises(ValueError, match='num_classes=4.*5 names'):
        model.set_vocabulary(['a', 'b', 'c', 'd', 'e'])
    with pytest.warns(UserWarning, match='extraordinarily'):
        model.set_vocabulary(['cat', 'dog', 'an extraordinarily long class name', 'sky'])
    assert model.texts.shape == (4, 5)
    strict = build_seg('rn', vocab=None, long_names='error')
    with pytest.raises(ValueError, match='extraordinarily'):
        strict.set_vocabulary(['cat', 'dog', 'an extraordinarily long class name', 'sky'])
    with pytest.raises(ValueError, match='neck.in_channels'):
        build_seg('rn', neck=dict(type='FPN', in_channels=[32, 64, 128, 256], out_channels=16,
                                  num_outs=4))


def test_small_images_are_padded(arch):
    model = build_seg(arch)
    inputs, samples = seg_batch(2, size=(20, 13))  # batch 2: BatchNorm on a 1x1 C5 map
    losses = model.loss(inputs, samples)
    assert torch.isfinite(losses['decode.loss_ce'])
    assert samples[0].gt_sem_seg.shape == (20, 13)  # caller's samples untouched
    model.eval()
    with torch.no_grad():
        out = model.predict(inputs, samples)
    assert out[0].pred_sem_seg.shape == (20, 13)


def test_no_contexts_is_plain_clip_text():
    """context_length=0 (the zero-shot benchmark): class text = CLIP's encoding of the name."""
    model = build_seg('rn', context_length=0).eval()
    assert model.contexts.shape == (1, 0, 64)
    with torch.no_grad():
        text = model._class_text()
        plain = model.text_encoder(model.text_encoder.tokenize(['cat'], context_length=13))
    torch.testing.assert_close(text[0], plain[0], rtol=1e-4, atol=1e-5)


_P16 = dict(type='CLIPViT', model_name='ovseg-tiny-vit-p16', out_indices=(0, 1, 1, 1),
            pyramid=True, with_embeddings=True)


def _original_whole_inference(model, inputs):
    """The original DenseCLIP test path: no padding, crop to whole patches, resize logits.

    The original ViT's patch convolution (kernel = stride = p) ignores the last H % p rows
    and W % p columns, so cropping them first gives its exact features; mmseg 0.x then
    resizes the decode head's logits bilinearly to the input size.
    """
    h, w = inputs.shape[-2:]
    patch = getattr(model.backbone, 'patch_size', 1)
    feats = list(model.backbone(inputs[..., :h - h % patch, :w - w % patch]))
    levels, _ = model.after_extract_feat(feats)
    logits = model.decode_head.forward(model.neck(levels))
    return torch.nn.functional.interpolate(logits, size=(h, w), mode='bilinear',
                                           align_corners=False)


@pytest.mark.parametrize('arch,backbone,size', [
    ('vit', None, (48, 80)), ('vit', None, (56, 88)), ('vit', _P16, (56, 88)),
    ('vit', _P16, (72, 40)), ('rn', None, (48, 80))])
def test_whole_inference_does_not_pad_as_the_original(arch, backbone, size):
    """size_divisor=None (the DenseCLIP configs): logits equal the original's unpadded path."""
    overrides = dict(size_divisor=None)
    if backbone is not None:
        overrides.update(backbone=backbone, score_concat_index=2)
    model = build_seg(arch, **overrides).eval()
    inputs = torch.randn(1, 3, *size)
    with torch.no_grad():
        ours = model.encode_decode(inputs, [dict(img_shape=size)])
        reference = _original_whole_inference(model, inputs)
        padded = build_seg(arch, **{**overrides, 'size_divisor': 32}).eval()
        padded.load_state_dict(model.state_dict())
        with_padding = padded.encode_decode(inputs, [dict(img_shape=size)])
    torch.testing.assert_close(ours, reference)
    assert (ours - with_padding).abs().max() > 1e-3  # zero-padding to 32 changes the logits


def test_no_padding_mode_pads_only_below_min_side(arch):
    model = build_seg(arch, size_divisor=None).eval()
    assert model._pad(torch.zeros(1, 3, 40, 56)).shape[-2:] == (40, 56)
    assert model._pad(torch.zeros(1, 3, 20, 56)).shape[-2:] == (32, 56)
    with torch.no_grad():
        out = model.predict(torch.randn(1, 3, 20, 13))
    assert out[0].pred_sem_seg.shape == (20, 13)


def test_set_vocabulary_follows_the_vocabulary_rule():
    from ovseg.models.clip import VocabularyError
    model = build_seg('rn', vocab=None)
    with pytest.raises(VocabularyError, match=r"entries 0 \('cat'\) and 2 \('Cat'\)"):
        model.set_vocabulary(['cat', 'dog', 'Cat', 'sky'])
    with pytest.raises(VocabularyError, match=r"entry 1 \(''\) is empty"):
        model.set_vocabulary(['cat', '', 'tree', 'sky'])
    with pytest.raises(VocabularyError, match='empty'):
        model.set_vocabulary([])


@pytest.mark.parametrize('predict_from', ['decode_head', 'score_map'])
def test_seen_penalty_is_calibrated_stacking(predict_from):
    inputs, samples = seg_batch(1)

    def logits(**test_cfg):
        model = build_seg('rn', test_cfg=dict(mode='whole', predict_from=predict_from,
                                              **test_cfg)).eval()
        with torch.no_grad():
            return model.predict(inputs, samples)[0].seg_logits.data  # (K, H, W)

    original = logits()
    assert torch.equal(logits(seen_penalty=0.0, seen_classes=['cat']), original)
    seen = ['cat', 'tree', 'sky']  # 'tree, bush' matches by its first synonym; 'dog' unseen
    calibrated = logits(seen_penalty=2.5, seen_classes=seen)
    shift = torch.tensor([2.5, 0.0, 2.5, 2.5])[:, None, None]
    torch.testing.assert_close(calibrated, original - shift)
    assert torch.all(logits(seen_penalty=1e4, seen_classes=seen).argmax(0) == 1)


def test_seen_penalty_reads_the_seen_flags_of_the_vocabulary():
    from ovseg.models.clip import Vocabulary
    inputs, samples = seg_batch(1)
    named = build_seg('rn', test_cfg=dict(mode='whole', seen_penalty=2.5,
                                          seen_classes=['cat', 'tree', 'sky'])).eval()
    flagged = build_seg('rn', vocab=Vocabulary(list(VOCAB), seen=[True, False, True, True]),
                        test_cfg=dict(mode='whole', seen_penalty=2.5)).eval()
    with torch.no_grad():
        torch.testing.assert_close(flagged.predict(inputs, samples)[0].seg_logits.data,
                                   named.predict(inputs, samples)[0].seg_logits.data)
    unflagged = build_seg('rn', test_cfg=dict(mode='whole', seen_penalty=1.0)).eval()
    with pytest.raises(ValueError, match="test_cfg.seen_classes.*'seen' flags"), torch.no_grad():
        unflagged.predict(inputs, samples)


def test_seen_penalty_errors():
    with pytest.raises(ValueError, match='seen_penalty'):
        build_seg('rn', test_cfg=dict(mode='whole', seen_penalty=-1.0, seen_classes=['cat']))
    model = build_seg('rn', test_cfg=dict(mode='whole', seen_penalty=1.0,
                                          seen_classes=['cat', 'horse'])).eval()
    with pytest.raises(ValueError, match='horse'), torch.no_grad():
        model.predict(*seg_batch(1))


