"""demo/image_demo.py on images larger than the test scale: model-resolution score maps,
label maps at the original size equal to ``tools/test.py``'s, slide inference when asked."""
import copy

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.testing import load_script

# the SynthWorld test pipeline (configs/_base_/datasets/synthworld_seg.py), test scale 160
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(160, 160), keep_ratio=True),
            dict(type='PackSegInputs')]
SLIDE = dict(mode='slide', crop_size=(64, 64), stride=(48, 48))


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo_large')
    for name, test_cfg in (('whole', dict(mode='whole')), ('slide', SLIDE)):
        cfg = dict(model=tiny_seg_cfg('rn', test_cfg=test_cfg), default_scope='mmseg',
                   test_pipeline=PIPELINE)
        Config(cfg).dump(str(root / f'{name}.py'))
    torch.save(dict(state_dict=build_seg('rn').state_dict(),
                    meta=dict(dataset_meta=dict(classes=VOCAB))), root / 'tiny.pth')
    rng = np.random.default_rng(0)
    for name, (h, w) in (('large', (900, 1200)), ('small', (120, 150))):
        small = rng.integers(0, 255, (h // 30, w // 30, 3), dtype=np.uint8)  # smooth content
        cv2.imwrite(str(root / f'{name}.png'), cv2.resize(small, (w, h)))
    return root


def _model_and_batch(root, config: str, image: str):
    from mmseg.apis import init_model
    demo = load_script('demo/image_demo.py')
    model = init_model(str(root / config), str(root / 'tiny.pth'), device='cpu')
    model.set_vocabulary(VOCAB)
    data = demo._pipeline(model.cfg)(dict(img_path=str(root / image)))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    return demo, model, batch


def _test_py_prediction(model, batch) -> np.ndarray:
    """What tools/test.py predicts: mmseg's postprocess at the original size."""
    with torch.no_grad():
        return model.predict(batch['inputs'], copy.deepcopy(batch['data_samples']))[0] \
            .pred_sem_seg.data[0].numpy()


def _inference_scores(model, batch) -> torch.Tensor:
    """(K, h, w) softmax of the score map from the model's own inference (whole or slide)."""
    model.test_cfg.predict_from = 'score_map'
    try:
        with torch.no_grad():
            logits = model.inference(batch['inputs'],
                                     [s.metainfo for s in batch['data_samples']])
    finally:
        model.test_cfg.predict_from = 'decode_head'
    h, w = batch['data_samples'][0].img_shape
    return logits[0, :, :h, :w].softmax(dim=0)


@pytest.mark.parametrize('config', ['whole.py', 'slide.py'])
def test_score_maps_are_at_model_resolution(files, config):
    demo, model, batch = _model_and_batch(files, config, 'large.png')
    assert tuple(batch['inputs'].shape[-2:]) == (120, 160)  # 900x1200 at the test scale
    prob = demo.score_maps(model, batch)
    assert tuple(prob.shape) == (len(VOCAB), 120, 160)
    torch.testing.assert_close(prob.sum(dim=0), torch.ones(120, 160))
    assert torch.equal(prob, _inference_scores(model, batch))


@pytest.mark.parametrize('config', ['whole.py', 'slide.py'])
@pytest.mark.parametrize('image, size', [('large.png', (900, 1200)), ('small.png', (120, 150))])
def test_labels_at_original_size_equal_test_py(files, config, image, size):
    demo, model, batch = _model_and_batch(files, config, image)
    result = demo.predict_at_model_resolution(model, batch)
    h, w = batch['data_samples'][0].img_shape
    assert tuple(result.seg_logits.data.shape) == (len(VOCAB), h, w)
    labels = demo.upsample_labels(result.seg_logits.data, size,
                                  align_corners=model.align_corners, max_elements=4096)
    assert labels.shape == size
    np.testing.assert_array_equal(labels, _test_py_prediction(model, batch))


def test_upsample_labels_matches_one_shot_resize():
    demo = load_script('demo/image_demo.py')
    from mmseg.models.utils import resize
    logits = torch.randn(5, 12, 17, generator=torch.Generator().manual_seed(0))
    for size in [(300, 211), (12, 17), (7, 30), (5, 9)]:
        for align_corners in (False, True):
            full = resize(logits[None], size=size, mode='bilinear',
                          align_corners=align_corners)[0]
            labels = demo.upsample_labels(logits, size, align_corners=align_corners,
                                          max_elements=5000)
            np.testing.assert_array_equal(labels, full.argmax(dim=0).numpy())
    covered = demo.upsample_labels(logits.relu(), (40, 50), min_score=0.0, ignore_index=255)
    full = resize(logits.relu()[None], size=(40, 50), mode='bilinear')[0]
    np.testing.assert_array_equal(covered == 255, (full.amax(dim=0) <= 0).numpy())


def test_run_on_large_image_uses_slide_and_draws_at_original_size(files, tmp_path):
    """End to end: the overlay is the test.py prediction at the original size; the score grid
    comes from the model's slide inference at its resolution."""
    demo, model, batch = _model_and_batch(files, 'slide.py', 'large.png')
    out, scores = demo.run(str(files / 'large.png'), str(files / 'slide.py'),
                           str(files / 'tiny.pth'), out=str(tmp_path / 'out.png'))
    image = cv2.imread(str(files / 'large.png'))[..., ::-1]
    display = [n.split(',')[0].strip() for n in VOCAB]
    expected = demo.overlay_with_legend(image, _test_py_prediction(model, batch), display,
                                        demo.palette(len(VOCAB)))
    np.testing.assert_array_equal(cv2.imread(out)[..., ::-1], expected)
    expected_grid = demo.score_grid(_inference_scores(model, batch).numpy(), display)
    np.testing.assert_array_equal(cv2.imread(scores)[..., ::-1], expected_grid)
