"""demo/image_demo.py on a two-stage model and an image above the test scale: the overlay is
``tools/test.py``'s prediction at the original size (a regression check: the ignore rule for
uncovered pixels is tested on ``upsample_labels`` itself, Mask2Former's soft masks cover all)."""
import copy

import cv2
import numpy as np
import torch
from mmengine.config import Config

from ovseg.testing import load_script
from proposal_utils import tiny_two_stage_cfg
from test_two_stage_demo import VOCAB, tiny_two_stage  # noqa: F401 (fixture)

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
            dict(type='PackSegInputs')]


def test_two_stage_overlay_on_large_image_equals_test_py(tiny_two_stage, tmp_path):
    from mmseg.apis import init_model
    Config(dict(model=tiny_two_stage_cfg(), default_scope='mmseg',
                test_pipeline=PIPELINE)).dump(str(tmp_path / 'tiny.py'))
    checkpoint = str(tiny_two_stage / 'tiny.pth')  # the fixture's weights, this pipeline
    small = np.random.default_rng(0).integers(0, 255, (6, 8, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'img.png'), cv2.resize(small, (400, 300)))
    demo = load_script('demo/image_demo.py')
    out, _ = demo.run(str(tmp_path / 'img.png'), str(tmp_path / 'tiny.py'),
                      checkpoint, out=str(tmp_path / 'out.png'))

    model = init_model(str(tmp_path / 'tiny.py'), checkpoint, device='cpu')
    model.set_vocabulary(VOCAB)
    data = demo._pipeline(model.cfg)(dict(img_path=str(tmp_path / 'img.png')))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    assert tuple(batch['inputs'].shape[-2:]) == (48, 64)
    with torch.no_grad():  # tools/test.py: composed at the original size
        labels = model.predict(batch['inputs'], copy.deepcopy(batch['data_samples']))[0] \
            .pred_sem_seg.data[0].numpy()
    assert labels.shape == (300, 400)
    image = cv2.imread(str(tmp_path / 'img.png'))[..., ::-1]
    expected = demo.overlay_with_legend(image, labels, VOCAB, demo.palette(len(VOCAB)))
    np.testing.assert_array_equal(cv2.imread(out)[..., ::-1], expected)
