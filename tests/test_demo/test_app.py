"""demo/app.py's request handler on a tiny DenseCLIP: results equal the inferencer's, and every
bad input of issue 14 comes back as a clear message while the app keeps serving."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import save_tiny_seg
from ovseg.apis import OVSegInferencer
from ovseg.testing import load_script
from ovseg.utils.errors import InputError

app = load_script('demo/app.py')
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(48, 48), keep_ratio=True),
            dict(type='PackSegInputs')]


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """(config, checkpoint) of a tiny DenseCLIP with 4 classes."""
    return save_tiny_seg(tmp_path_factory.mktemp('app'), PIPELINE)


@pytest.fixture(scope='module')
def cache(tiny):
    return app.ModelCache({'tiny': tiny})


def _image(tmp_path, name: str = 'img.png', array=None) -> str:
    if array is None:
        rng = np.random.default_rng(0)
        array = cv2.resize(rng.integers(0, 255, (4, 4, 3), dtype=np.uint8), (56, 40))
    cv2.imwrite(str(tmp_path / name), array)
    return str(tmp_path / name)


def _is_error(out, *words: str) -> bool:
    return (out.overlay is None and out.scores == {} and out.message.startswith('**Error:**')
            and all(w in out.message for w in words))


def test_result_equals_the_inferencer_on_the_same_image(tmp_path, tiny, cache):
    path = _image(tmp_path)
    out = app.segment(path, 'cat, dog, sky', 'tiny', cache)
    direct = OVSegInferencer(*tiny, show_progress=False)(path, vocabulary=['cat', 'dog', 'sky'],
                                                         return_vis=True)
    assert np.array_equal(out.overlay, direct['visualization'][0])
    assert out.scores == pytest.approx(direct['predictions'][0]['class_scores'])
    labels = direct['predictions'][0]['sem_seg']
    top = ['cat', 'dog', 'sky'][np.bincount(labels.ravel()).argmax()]
    assert out.message.startswith(f'Classes found: {top} (') and out.proposals is None


@pytest.mark.parametrize('content, words', [
    (b'', ['empty.png', 'empty (0 bytes)']),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00', ['corrupt.png', 'not a decodable image']),
    (b'name,count\ncat,3\n', ['notes.csv', 'not a decodable image'])])
def test_unreadable_uploads_are_a_message_and_the_app_keeps_serving(tmp_path, cache, content,
                                                                    words):
    name = words[0]
    (tmp_path / name).write_bytes(content)
    assert _is_error(app.segment(str(tmp_path / name), 'cat, dog', 'tiny', cache), *words)
    assert app.segment(_image(tmp_path), 'cat, dog', 'tiny', cache).overlay is not None


def test_no_upload_is_a_message(cache):
    assert _is_error(app.segment(None, 'cat', 'tiny', cache), 'upload an image')


@pytest.mark.parametrize('convert, notice', [
    (lambda rgb: cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 'grayscale image converted to RGB'),
    (lambda rgb: cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA), 'RGBA image: the alpha channel'),
    (lambda rgb: rgb[..., ::-1].astype(np.uint16) * 257, '16-bit image converted to 8 bits')])
def test_gray_rgba_and_16_bit_images_are_converted_with_a_notice(tmp_path, cache, convert,
                                                                 notice):
    rng = np.random.default_rng(1)
    rgb = cv2.resize(rng.integers(0, 255, (4, 4, 3), dtype=np.uint8), (48, 32))
    out = app.segment(_image(tmp_path, 'x.png', convert(rgb)), 'cat, sky', 'tiny', cache)
    assert out.overlay.shape[0] == 32 and out.overlay.shape[1] > 48  # the legend on the right
    assert set(out.scores) == {'cat', 'sky'}
    assert f'Note: {notice}' in out.message


def test_a_1x1_image_is_refused_with_a_message(tmp_path, cache):
    path = _image(tmp_path, 'dot.png', np.zeros((1, 1, 3), np.uint8))
    assert _is_error(app.segment(path, 'cat', 'tiny', cache), 'dot.png is 1x1 pixels',
                     f'at least {app.MIN_SIDE} pixels')


def test_an_8000x8000_image_is_downscaled_with_a_notice(tmp_path, cache):
    big = np.zeros((8000, 8000), np.uint8)  # gray: a quarter of the bytes to write and read
    big[:, 4000:] = 200
    cv2.imwrite(str(tmp_path / 'big.png'), big, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    out = app.segment(str(tmp_path / 'big.png'), 'cat, sky', 'tiny', cache)
    side = app.MAX_SIDE
    assert out.overlay.shape[0] == side and out.overlay.shape[1] > side  # legend on the right
    assert f'Note: downscaled from 8000x8000 to {side}x{side} pixels' in out.message


@pytest.mark.parametrize('vocabulary, words', [
    ('', ['vocabulary is empty']), ('  ', ['vocabulary is empty']),
    (',,, ,', ['vocabulary is empty']),
    ('cat, dog, cat', ["entries 0 ('cat') and 2 ('cat') are duplicates"]),
    (', '.join(f'class {i}' for i in range(1000)), ['1000 class names', 'at most 300'])])
def test_bad_vocabularies_are_a_message(tmp_path, cache, vocabulary, words):
    assert _is_error(app.segment(_image(tmp_path), vocabulary, 'tiny', cache), *words)


def test_unicode_names_and_synonym_lines_work(tmp_path, cache):
    out = app.segment(_image(tmp_path), 'chat, chien\n犬, いぬ\ncafé', 'tiny', cache)
    assert list(out.scores) == ['chat', '犬', 'café'] and out.overlay is not None
    assert sum(out.scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_an_unknown_model_is_a_message_naming_the_served_ones(tmp_path, cache):
    out = app.segment(_image(tmp_path), 'cat', 'no-such-model', cache)
    assert _is_error(out, "unknown model 'no-such-model'", "['tiny']")


def test_a_model_whose_weights_fail_to_load_is_a_message(tmp_path, tiny):
    (tmp_path / 'broken.pth').write_bytes(b'not a checkpoint')
    broken = app.ModelCache({'broken': (tiny[0], str(tmp_path / 'broken.pth'))})
    out = app.segment(_image(tmp_path), 'cat', 'broken', broken)
    assert _is_error(out, 'broken.pth')


def test_two_stage_models_show_their_proposals(tmp_path):
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from test_two_stage_demo import _model_cfg  # its tiny two-stage model
    model_cfg = _model_cfg()
    Config(dict(model=model_cfg, default_scope='mmseg',
                test_pipeline=PIPELINE)).dump(str(tmp_path / 'two.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'two.pth')
    two = (str(tmp_path / 'two.py'), str(tmp_path / 'two.pth'))
    path = _image(tmp_path)
    out = app.segment(path, 'cat, dog, sky', 'two', app.ModelCache({'two': two}))
    direct = OVSegInferencer(*two, show_progress=False)(
        path, vocabulary=['cat', 'dog', 'sky'], return_vis=True, proposals=True)
    assert np.array_equal(out.proposals, direct['views'][0]['proposals'])
    assert np.array_equal(out.overlay, direct['visualization'][0])


def test_the_app_serves_the_quickstart_model_once_its_weights_exist(tiny, monkeypatch):
    from ovseg.utils.weights import register_weights
    name = 'synthworld-quickstart-denseclip-rn-s'
    assert name not in app.available_models()  # the test's empty weights cache
    register_weights(name, tiny[1])
    assert app.available_models()[name] == (name, None)
    assert app.available_models(tiny)['tiny'] == tiny  # --config / --weights, by file stem
    monkeypatch.setattr('sys.argv', ['app.py', '--config', 'nowhere/tiny.py'])
    with pytest.raises(InputError, match='--config nowhere/tiny.py does not exist'):
        app.main()
