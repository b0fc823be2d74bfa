"""OVSegInferencer on tiny DenseCLIP and two-stage models: vocabulary at call time, cached text
embeddings, batches, bad inputs, label maps equal to ``tools/test.py``'s prediction."""
import copy
import warnings

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, build_seg, tiny_seg_cfg
from ovseg.apis import OVSegInferencer
from ovseg.compat.image import ImageReadError
from ovseg.models.clip.vocabulary import VocabularyError
from ovseg.utils.errors import InputError

# the SynthWorld test pipeline at a tiny scale: images above it are predicted at 48 px
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(48, 48), keep_ratio=True),
            dict(type='PackSegInputs')]


@pytest.fixture(scope='module')
def denseclip(tmp_path_factory):
    """Config and checkpoint of a tiny DenseCLIP (4 classes) and three images."""
    root = tmp_path_factory.mktemp('inferencer')
    Config(dict(model=tiny_seg_cfg('rn'), default_scope='mmseg',
                test_pipeline=PIPELINE)).dump(str(root / 'tiny.py'))
    torch.save(dict(state_dict=build_seg('rn').state_dict(),
                    meta=dict(dataset_meta=dict(classes=list(VOCAB)))), root / 'tiny.pth')
    rng = np.random.default_rng(0)
    (root / 'images').mkdir()
    for i, (h, w) in enumerate([(40, 56), (64, 48), (90, 120), (60, 80)]):
        small = rng.integers(0, 255, (4, 4, 3), dtype=np.uint8)
        cv2.imwrite(str(root / 'images' / f'img{i}.png'), cv2.resize(small, (w, h)))
    return root


@pytest.fixture(scope='module')
def inferencer(denseclip):
    return OVSegInferencer(str(denseclip / 'tiny.py'), str(denseclip / 'tiny.pth'),
                           show_progress=False)


def _test_py_labels(model, image: str) -> np.ndarray:
    """What tools/test.py predicts for one image: the test pipeline, mmseg's postprocess at the
    original size."""
    from mmengine.dataset import Compose
    data = Compose(PIPELINE)(dict(img_path=image))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    with torch.no_grad():
        return model.predict(batch['inputs'], copy.deepcopy(batch['data_samples']))[0] \
            .pred_sem_seg.data[0].numpy()


def test_own_classes_equal_test_py_and_batches_do_not_change_results(inferencer, denseclip):
    folder = str(denseclip / 'images')
    one = inferencer(folder, batch_size=1)
    sizes = []
    handle = inferencer.model.backbone.register_forward_hook(
        lambda module, args, out: sizes.append(len(args[0])))
    try:
        three = inferencer(folder, batch_size=3)
    finally:
        handle.remove()
    # img2 and img3 (90x120, 60x80) are both 36x48 after the pipeline: one batch of two
    assert sizes == [1, 1, 2]
    assert len(one['predictions']) == 4 and not one['errors']
    for a, b in zip(one['predictions'], three['predictions']):
        assert a['classes'] == ['cat', 'dog', 'tree', 'sky']
        np.testing.assert_array_equal(a['sem_seg'], b['sem_seg'])
        assert a['sem_seg'].dtype == np.int64
        np.testing.assert_array_equal(a['sem_seg'], _test_py_labels(inferencer.model,
                                                                     a['image_path']))
        assert a['class_scores'].keys() == set(a['classes'])
        assert sum(a['class_scores'].values()) == pytest.approx(1.0, abs=1e-5)
    assert one['predictions'][2]['sem_seg'].shape == (90, 120)


def test_new_vocabulary_uses_the_score_map_and_warns_once(denseclip):
    inferencer = OVSegInferencer(str(denseclip / 'tiny.py'), str(denseclip / 'tiny.pth'))
    image = str(denseclip / 'images' / 'img0.png')
    with pytest.warns(UserWarning, match='a vocabulary other than the 4 training classes of '
                      "this DenseCLIP's decode head: predicting from the pixel-text score map"):
        result = inferencer(image, vocabulary=['sun', 'moon', 'star, planet', 'sea', 'sky'])
    labels = result['predictions'][0]['sem_seg']
    assert result['predictions'][0]['classes'] == ['sun', 'moon', 'star', 'sea', 'sky']
    assert labels.min() >= 0 and labels.max() < 5
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        inferencer(image, vocabulary=['a', 'b', 'c'])  # no second warning
    # four other names (the decode head's size): still the score map
    renamed = inferencer(image, vocabulary=['sun', 'moon', 'sea', 'sky'])
    assert inferencer.model.test_cfg.predict_from == 'score_map'
    # back to the model's own classes: the decode head again, as tools/test.py
    four = inferencer(image, vocabulary=list(VOCAB))
    np.testing.assert_array_equal(four['predictions'][0]['sem_seg'],
                                  _test_py_labels(inferencer.model, image))
    assert renamed['predictions'][0]['classes'] == ['sun', 'moon', 'sea', 'sky']


def test_repeated_vocabulary_runs_the_text_encoder_zero_times(inferencer, denseclip):
    calls = []
    handle = inferencer.model.text_encoder.register_forward_hook(lambda *a: calls.append(1))
    try:
        image = str(denseclip / 'images' / 'img0.png')
        inferencer(image, vocabulary=['road', 'car', 'tree'])
        assert len(calls) == 1
        inferencer(image, vocabulary=['road', 'car', 'tree'])
        inferencer([image, image], vocabulary=['road', 'car', 'tree'], batch_size=2)
        assert len(calls) == 1
        inferencer(image, vocabulary=['road', 'car'])
        assert len(calls) == 2
    finally:
        handle.remove()


def test_arrays_lists_and_files_agree(inferencer, denseclip):
    path = str(denseclip / 'images' / 'img1.png')
    rgb = cv2.imread(path)[..., ::-1].copy()
    result = inferencer([path, rgb, rgb[..., 0]], vocabulary='cat,dog,tree,sky')
    a, b, gray = result['predictions']
    np.testing.assert_array_equal(a['sem_seg'], b['sem_seg'])
    assert a['image_path'] == path and b['image_path'] is None
    assert gray['sem_seg'].shape == (64, 48)


def test_a_bad_image_is_reported_and_the_others_go_on(inferencer, denseclip, tmp_path):
    empty = tmp_path / 'empty.png'
    empty.write_bytes(b'')
    good = str(denseclip / 'images' / 'img0.png')
    with pytest.warns(UserWarning, match='empty.png'):
        result = inferencer([good, str(empty), good], batch_size=2)
    assert [p['input_index'] for p in result['predictions']] == [0, 2]
    (error,) = result['errors']
    assert error['index'] == 1 and str(empty) in error['error'] and '0 bytes' in error['error']
    with pytest.raises(ImageReadError, match='missing.png does not exist'):
        inferencer(str(tmp_path / 'missing.png'))


@pytest.mark.parametrize('vocabulary, match', [([], 'empty'), (',,,', 'entry 0'),
                                               (['a', 'A '], 'duplicates')])
def test_bad_vocabulary_is_a_clear_error(inferencer, denseclip, vocabulary, match):
    with pytest.raises(VocabularyError, match=match):
        inferencer(str(denseclip / 'images' / 'img0.png'), vocabulary=vocabulary)


def test_vocabulary_from_a_text_file(inferencer, denseclip, tmp_path):
    names = tmp_path / 'names.list'
    names.write_text('sun\nmoon, crescent\n\nsea\n')
    result = inferencer(str(denseclip / 'images' / 'img0.png'), vocabulary=str(names))
    assert result['predictions'][0]['classes'] == ['sun', 'moon', 'sea']


def test_unknown_model_lists_the_zoo():
    with pytest.raises(InputError, match=r"unknown model 'nope'.*synthworld-denseclip-rn-s"):
        OVSegInferencer('nope')


def test_video_frames_and_out_dir_files(inferencer, tmp_path):
    import json
    writer = cv2.VideoWriter(str(tmp_path / 'clip.avi'), cv2.VideoWriter_fourcc(*'MJPG'), 5,
                             (48, 32))
    for i in range(3):
        writer.write(np.full((32, 48, 3), 60 * i, np.uint8))
    writer.release()
    result = inferencer(str(tmp_path / 'clip.avi'), vocabulary=list(VOCAB), batch_size=2,
                        out_dir=str(tmp_path / 'out'), return_vis=True)
    assert len(result['predictions']) == 3 == len(result['visualization'])
    for frame, pred in enumerate(result['predictions']):
        stem = f'clip_{frame:06d}'
        png = cv2.imread(str(tmp_path / 'out' / 'preds' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(png, pred['sem_seg'])
        info = json.loads((tmp_path / 'out' / 'preds' / f'{stem}.json').read_text())
        assert info['class_scores'] == pytest.approx(pred['class_scores'])
        vis = cv2.imread(str(tmp_path / 'out' / 'vis' / f'{stem}.png'))
        np.testing.assert_array_equal(vis[..., ::-1], result['visualization'][frame])


def test_text_prompted_sam_segments_the_call_vocabulary(tmp_path):
    """ProposalSegmentor + TextPromptedSAM (tiny SAM, tiny CLIP): labels equal the model's own
    predict, the text tower runs once per vocabulary."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from ovseg.testing import TINY_SAM_ARCH
    text = dict(type='TextClassifier', templates='single',
                text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'))
    model_cfg = dict(
        type='ProposalSegmentor', text_classifier=text,
        proposal_generator=dict(type='TextPromptedSAM', sam=dict(TINY_SAM_ARCH),
                                clip_backbone=dict(type='CLIPViT', model_name='ovseg-tiny-vit',
                                                   with_embeddings=True), clip_image_size=32),
        data_preprocessor=dict(type='SegDataPreProcessor', mean=None, std=None,
                               bgr_to_rgb=True, size_divisor=32))
    Config(dict(model=model_cfg, default_scope='mmseg',
                test_pipeline=PIPELINE)).dump(str(tmp_path / 'sam.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(model_cfg).state_dict()), tmp_path / 'sam.pth')
    image = str(tmp_path / 'img.png')
    cv2.imwrite(image, np.random.default_rng(0).integers(0, 255, (60, 80, 3), dtype=np.uint8))
    inferencer = OVSegInferencer(str(tmp_path / 'sam.py'), str(tmp_path / 'sam.pth'))
    with pytest.raises(VocabularyError, match='no vocabulary'):
        inferencer(image)  # neither a checkpoint meta nor a test dataset names classes
    calls = []
    inferencer.model.text_classifier.text_encoder.register_forward_hook(
        lambda *a: calls.append(1))
    (pred,) = inferencer(image, vocabulary=['cat', 'dog, puppy', 'sky'])['predictions']
    assert len(calls) == 1
    np.testing.assert_array_equal(pred['sem_seg'], _test_py_labels(inferencer.model, image))
    assert pred['classes'] == ['cat', 'dog', 'sky'] and pred['sem_seg'].shape == (60, 80)
    inferencer([image, image], vocabulary=['cat', 'dog, puppy', 'sky'], batch_size=2)
    assert len(calls) == 1


def test_edge_inputs_tiny_image_unicode_and_a_thousand_names(inferencer, tmp_path):
    one = np.full((1, 1, 3), 200, np.uint8)
    (pred,) = inferencer(one, vocabulary=['chat', 'café, 咖啡', 'ß'])['predictions']
    assert pred['sem_seg'].shape == (1, 1) and pred['classes'] == ['chat', 'café', 'ß']
    names = [f'class {i}' for i in range(1000)]
    rgba = np.zeros((20, 30, 4), np.uint8)
    result = inferencer(rgba, vocabulary=names, out_dir=str(tmp_path))
    (pred,) = result['predictions']
    assert len(pred['class_scores']) == 1000 and pred['sem_seg'].max() < 1000
    png = cv2.imread(str(tmp_path / 'preds' / '00000000.png'), cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint16
    np.testing.assert_array_equal(png, pred['sem_seg'])
