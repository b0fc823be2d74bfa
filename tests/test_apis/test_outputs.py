"""ovseg/apis/outputs.py: label-map PNGs (8 or 16 bit) and JSON that parse back."""
import json

import cv2
import numpy as np

from ovseg.apis.outputs import label_map_dtype, write_prediction


def _pred(num: int):
    labels = np.arange(12).reshape(3, 4) % num
    labels[0, 0] = -1
    names = [f'c{i}' for i in range(num)]
    return dict(sem_seg=labels.astype(np.int64), classes=names, image_path='x.png',
                class_scores={n: 1 / num for n in names})


def test_small_vocabulary_writes_uint8_with_255_for_no_class(tmp_path):
    pred = _pred(3)
    overlay = np.zeros((3, 9, 3), np.uint8)
    overlay[..., 0] = 255  # red in RGB
    info = write_prediction(str(tmp_path), 'x', pred, dict(overlay=overlay),
                            vocabulary=['c0', 'c1, one', 'c2'])
    png = cv2.imread(str(tmp_path / 'preds' / 'x.png'), cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint8 and png[0, 0] == 255 == info['unlabelled']
    np.testing.assert_array_equal(png[png != 255], pred['sem_seg'][pred['sem_seg'] >= 0])
    loaded = json.loads((tmp_path / 'preds' / 'x.json').read_text())
    assert loaded == info and loaded['vocabulary'][1] == 'c1, one'
    assert (loaded['height'], loaded['width'], loaded['label_map']) == (3, 4, 'preds/x.png')
    vis = cv2.imread(str(tmp_path / 'vis' / 'x.png'))
    assert tuple(vis[0, 0]) == (0, 0, 255)  # written as BGR


def test_large_vocabulary_writes_uint16(tmp_path):
    assert label_map_dtype(255) == np.uint8 and label_map_dtype(256) == np.uint16
    pred = _pred(300)
    pred['sem_seg'][1, 1] = 299
    write_prediction(str(tmp_path), 'y', pred, None, vocabulary=pred['classes'])
    png = cv2.imread(str(tmp_path / 'preds' / 'y.png'), cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint16 and png[0, 0] == 65535 and png[1, 1] == 299
    assert not (tmp_path / 'vis').exists()
