"""OVDetInferencer on tiny DenseCLIP RetinaNet / Mask R-CNN: boxes, labels, scores and COCO RLE
masks as the detector's own predict gives them, class names, JSON that pycocotools decodes."""
import json

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from denseclip_utils import VOCAB, tiny_det_cfg
from ovseg.apis.det_inferencer import OVDetInferencer
from ovseg.models.clip.vocabulary import VocabularyError

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
            dict(type='PackDetInputs', meta_keys=('img_path', 'ori_shape', 'img_shape',
                                                  'scale_factor'))]


def _files(root, kind: str):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    cfg = tiny_det_cfg(kind)
    # a low threshold and few detections, so that random weights still return some
    test_cfg = cfg.test_cfg.rcnn if kind == 'mask-rcnn' else cfg.test_cfg
    test_cfg.update(score_thr=0.0, max_per_img=5)
    Config(dict(model=cfg, default_scope='mmdet', test_pipeline=PIPELINE)).dump(
        str(root / f'{kind}.py'))
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=list(VOCAB)))), root / f'{kind}.pth')
    image = np.random.default_rng(0).integers(0, 255, (48, 80, 3), dtype=np.uint8)
    cv2.imwrite(str(root / 'img.png'), image)
    return str(root / f'{kind}.py'), str(root / f'{kind}.pth'), str(root / 'img.png')


@pytest.mark.parametrize('kind', ['retinanet', 'mask-rcnn'])
def test_detections_equal_predict_and_files_parse(kind, tmp_path):
    from mmengine.dataset import Compose
    from pycocotools import mask as mask_utils
    config, ckpt, image = _files(tmp_path, kind)
    inferencer = OVDetInferencer(config, ckpt, show_progress=False)
    result = inferencer(image, out_dir=str(tmp_path / 'out'), return_vis=True)
    (pred,) = result['predictions']
    model = inferencer.model
    data = Compose(PIPELINE)(dict(img_path=image))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    with torch.no_grad():
        expected = model.predict(batch['inputs'], batch['data_samples'])[0].pred_instances
    assert len(pred['boxes']) > 0
    np.testing.assert_allclose(pred['boxes'], expected.bboxes.numpy())
    np.testing.assert_array_equal(pred['labels'], expected.labels.numpy())
    assert pred['label_names'] == [pred['classes'][k] for k in pred['labels']]
    assert pred['classes'] == ['cat', 'dog', 'tree', 'sky']
    info = json.loads((tmp_path / 'out' / 'preds' / 'img.json').read_text())
    assert (info['height'], info['width']) == (48, 80)
    first = info['annotations'][0]
    x1, y1, x2, y2 = pred['boxes'][0].tolist()
    assert first['bbox'] == pytest.approx([x1, y1, x2 - x1, y2 - y1])
    assert first['category'] == pred['label_names'][0]
    if kind == 'mask-rcnn':
        masks = mask_utils.decode(first['segmentation'])
        assert masks.shape == (48, 80)
        np.testing.assert_array_equal(masks.astype(bool), expected.masks[0].numpy())
    else:
        assert 'masks' not in pred and 'segmentation' not in first
    assert cv2.imread(str(tmp_path / 'out' / 'vis' / 'img.png')).shape == (48, 80, 3)
    assert result['visualization'][0].shape == (48, 80, 3)


def test_detector_vocabulary_renames_the_classes(tmp_path):
    config, ckpt, image = _files(tmp_path, 'retinanet')
    inferencer = OVDetInferencer(config, ckpt, show_progress=False)
    (pred,) = inferencer(image, vocabulary=['circle', 'square, box', 'star', 'sky'])[
        'predictions']
    assert pred['classes'] == ['circle', 'square', 'star', 'sky']
    with pytest.raises(VocabularyError, match='num_classes=4.*2 names'):
        inferencer(image, vocabulary=['a', 'b'])
