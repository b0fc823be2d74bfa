"""ovseg/apis/prediction.py on images larger than the test scale: model-resolution score maps,
label maps at the original size equal to ``tools/test.py``'s, slide inference when asked; and the
inferencer end to end on such an image."""
import copy

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.apis import OVSegInferencer
from ovseg.apis import prediction

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
    from mmengine.dataset import Compose
    from mmseg.apis import init_model
    model = init_model(str(root / config), str(root / 'tiny.pth'), device='cpu')
    model.set_vocabulary(VOCAB)
    data = Compose(PIPELINE)(dict(img_path=str(root / image)))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    return model, batch


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
    model, batch = _model_and_batch(files, config, 'large.png')
    assert tuple(batch['inputs'].shape[-2:]) == (120, 160)  # 900x1200 at the test scale
    (prob,) = prediction.score_maps(model, batch)
    assert tuple(prob.shape) == (len(VOCAB), 120, 160)
    torch.testing.assert_close(prob.sum(dim=0), torch.ones(120, 160))
    assert torch.equal(prob, _inference_scores(model, batch))


@pytest.mark.parametrize('config', ['whole.py', 'slide.py'])
@pytest.mark.parametrize('image, size', [('large.png', (900, 1200)), ('small.png', (120, 150))])
def test_labels_at_original_size_equal_test_py(files, config, image, size):
    model, batch = _model_and_batch(files, config, image)
    (result,) = prediction.predict_at_model_resolution(model, batch)
    h, w = batch['data_samples'][0].img_shape
    assert tuple(result.seg_logits.data.shape) == (len(VOCAB), h, w)
    labels = prediction.upsample_labels(result.seg_logits.data, size,
                                  align_corners=model.align_corners, max_elements=4096)
    assert labels.shape == size
    np.testing.assert_array_equal(labels, _test_py_prediction(model, batch))


def test_upsample_labels_matches_one_shot_resize():
    from mmseg.models.utils import resize
    logits = torch.randn(5, 12, 17, generator=torch.Generator().manual_seed(0))
    for size in [(300, 211), (12, 17), (7, 30), (5, 9)]:
        for align_corners in (False, True):
            full = resize(logits[None], size=size, mode='bilinear',
                          align_corners=align_corners)[0]
            labels = prediction.upsample_labels(logits, size, align_corners=align_corners,
                                          max_elements=5000)
            np.testing.assert_array_equal(labels, full.argmax(dim=0).numpy())
    covered = prediction.upsample_labels(logits.relu(), (40, 50), min_score=0.0, ignore_index=255)
    full = resize(logits.relu()[None], size=(40, 50), mode='bilinear')[0]
    np.testing.assert_array_equal(covered == 255, (full.amax(dim=0) <= 0).numpy())


def test_inferencer_on_large_image_uses_slide_and_gives_test_py_labels(files, tmp_path):
    """End to end: the label map is the test.py prediction at the original size; the score maps
    come from the model's slide inference at its resolution; the overlay is drawn at 1 MP."""
    model, batch = _model_and_batch(files, 'slide.py', 'large.png')
    inferencer = OVSegInferencer(str(files / 'slide.py'), str(files / 'tiny.pth'),
                                 show_progress=False)
    result = inferencer(str(files / 'large.png'), score_maps=True, return_vis=True)
    (pred,) = result['predictions']
    np.testing.assert_array_equal(pred['sem_seg'], _test_py_prediction(model, batch))
    np.testing.assert_array_equal(pred['score_maps'], _inference_scores(model, batch).numpy())
    assert pred['model_size'] == (120, 160)
    (overlay,) = result['visualization']
    assert overlay.shape[0] == 886 and overlay.shape[1] > 1181  # 1 MP drawing, plus legend
