"""OVSegInferencer on a two-stage model and an image above the test scale: the label map is
``tools/test.py``'s prediction at the original size, with -1 where test.py writes 255 (no mask
covers the pixel; a regression check: Mask2Former's soft masks cover all, the ignore rule is
tested on ``upsample_labels`` itself)."""
import copy

import cv2
import numpy as np
import torch
from mmengine.config import Config

from ovseg.apis import OVSegInferencer
from test_two_stage_demo import VOCAB, _model_cfg, tiny_two_stage  # noqa: F401 (fixture)

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
            dict(type='PackSegInputs')]


def test_two_stage_labels_on_large_image_equal_test_py(tiny_two_stage, tmp_path):
    from mmengine.dataset import Compose
    from mmseg.apis import init_model
    Config(dict(model=_model_cfg(), default_scope='mmseg',
                test_pipeline=PIPELINE)).dump(str(tmp_path / 'tiny.py'))
    checkpoint = str(tiny_two_stage / 'tiny.pth')  # the fixture's weights, this pipeline
    small = np.random.default_rng(0).integers(0, 255, (6, 8, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'img.png'), cv2.resize(small, (400, 300)))
    inferencer = OVSegInferencer(str(tmp_path / 'tiny.py'), checkpoint, show_progress=False)
    (pred,) = inferencer(str(tmp_path / 'img.png'))['predictions']

    model = init_model(str(tmp_path / 'tiny.py'), checkpoint, device='cpu')
    model.set_vocabulary(VOCAB)
    data = Compose(PIPELINE)(dict(img_path=str(tmp_path / 'img.png')))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    assert tuple(batch['inputs'].shape[-2:]) == (48, 64)
    with torch.no_grad():  # tools/test.py: composed at the original size
        labels = model.predict(batch['inputs'], copy.deepcopy(batch['data_samples']))[0] \
            .pred_sem_seg.data[0].numpy()
    assert labels.shape == (300, 400)
    np.testing.assert_array_equal(pred['sem_seg'], np.where(labels == 255, -1, labels))
