"""ovseg.datasets.text_retrieval_benchmarks: IIIT-STR, SVT, Total-Text and CTR readers on tiny
hand-made files in the released formats (the .mat files written by scipy in the structure the
published evaluation code indexes), through the FDP test pipeline and RetrievalMAPMetric."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DATASETS

from ovseg.datasets.text_retrieval_benchmarks import AnnotationFormatError
from ovseg.evaluation import RetrievalMAPMetric

savemat = pytest.importorskip('scipy.io').savemat
TEST_PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackTextRetrievalInputs')]


def _images(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), np.full((8, 12, 3), 40 * i, np.uint8))


def _iiit_mat(path, queries):
    """IIIT-STR's data.mat: 'data', a 1 x Q struct array of (query: 1x1 cell of a string,
    relevant images: N x 1 cell of names). Field names are not known (readers index by
    position), so these are made up."""
    data = np.zeros((1, len(queries)), dtype=[('query', object), ('imgs', object)])
    for i, (query, names) in enumerate(queries):
        cell = np.empty((1, 1), object)
        cell[0, 0] = query
        imgs = np.empty((len(names), 1), object)
        for j, name in enumerate(names):
            imgs[j, 0] = name
        data[0, i] = (cell, imgs)
    savemat(str(path), {'data': data})


def _build(cfg):
    import ovseg.datasets  # noqa: F401  (registers the readers and transforms)
    return DATASETS.build(cfg)


def _map(dataset, scores):
    """RetrievalMAPMetric over ``scores`` {img_id: (K,) scores}, with the dataset's metainfo."""
    metric = RetrievalMAPMetric()
    metric.dataset_meta = dataset.metainfo
    metric.process(None, [dict(img_id=i, pred_scores=torch.tensor(s)) for i, s in scores.items()])
    return metric.evaluate(len(scores))['mAP']


def test_iiit_str_reads_data_mat_and_runs_the_fdp_test_pipeline(tmp_path):
    _images(tmp_path / 'imgDatabase', ['img_1.jpg', 'img_2.jpg', 'img_3.jpg'])
    _iiit_mat(tmp_path / 'data.mat', [('Coffee', ['img_2.jpg']),
                                      ('motel', ['img_1.jpg', 'img_2.jpg'])])
    ds = _build(dict(type='IIITSTRDataset', data_root=str(tmp_path), pipeline=TEST_PIPELINE))
    assert ds.metainfo['classes'] == ('coffee', 'motel')
    assert ds.metainfo['queries'] == (dict(query='coffee', img_ids=('img_2.jpg',)),
                                      dict(query='motel', img_ids=('img_1.jpg', 'img_2.jpg')))
    # the gallery is the whole image folder, distractor img_3 included
    assert [ds.get_data_info(i)['img_id'] for i in range(3)] == [f'img_{i}.jpg' for i in (1, 2, 3)]
    assert ds.get_data_info(1)['words'] == ['coffee', 'motel']
    assert ds.get_data_info(1)['polygons'].shape == (0, 4, 2)
    sample = ds[1]
    assert sample['inputs'].shape == (3, 8, 12) and sample['data_samples'].img_id == 'img_2.jpg'
    # coffee ranks img_2 first (AP 1); motel ranks img_3, img_1, img_2: AP (1/2 + 2/3) / 2
    scores = {'img_1.jpg': [0.1, 0.5], 'img_2.jpg': [0.9, 0.2], 'img_3.jpg': [0.3, 0.8]}
    assert _map(ds, scores) == pytest.approx(100 * (1 + (1 / 2 + 2 / 3) / 2) / 2)


def test_iiit_str_malformed_files_are_named(tmp_path):
    _images(tmp_path / 'imgDatabase', ['img_1.jpg'])
    cfg = dict(type='IIITSTRDataset', data_root=str(tmp_path))
    savemat(str(tmp_path / 'data.mat'), {'queries': np.zeros(3)})
    with pytest.raises(AnnotationFormatError, match=r"data\.mat: no key 'data' \(keys: "
                                                    r"\['queries'\]\)"):
        _build(cfg)
    savemat(str(tmp_path / 'data.mat'), {'data': np.array([[1.0, 2.0]])})
    with pytest.raises(AnnotationFormatError, match=r'data\.mat: data\[0, 0\] is not \(query, '
                                                    'relevant images\)'):
        _build(cfg)
    _iiit_mat(tmp_path / 'data.mat', [('hotel', ['img_9.jpg'])])
    with pytest.raises(FileNotFoundError, match='first: img_9.jpg'):
        _build(cfg)
    (tmp_path / 'data.mat').write_bytes(b'not a mat file')
    with pytest.raises(AnnotationFormatError, match='data.mat: not a readable MATLAB file'):
        _build(cfg)


SVT_XML = """<?xml version="1.0" encoding="utf-8"?>
<tagset>
  <image>
    <imageName>img/14_03.jpg</imageName>
    <address>Somewhere</address>
    <lex>LIVING,ROOM,HOTEL</lex>
    <Resolution x="12" y="8"/>
    <taggedRectangles>
      <taggedRectangle height="3" width="5" x="1" y="2"><tag>LIVING</tag></taggedRectangle>
      <taggedRectangle height="2" width="4" x="6" y="5"><tag>Room</tag></taggedRectangle>
    </taggedRectangles>
  </image>
  <image>
    <imageName>img/15_01.jpg</imageName>
    <taggedRectangles>
      <taggedRectangle height="3" width="5" x="0" y="0"><tag>ROOM</tag></taggedRectangle>
    </taggedRectangles>
  </image>
</tagset>
"""


def test_svt_words_of_each_image_are_the_queries(tmp_path):
    _images(tmp_path / 'img', ['14_03.jpg', '15_01.jpg'])
    (tmp_path / 'test.xml').write_text(SVT_XML)
    ds = _build(dict(type='SVTRetrievalDataset', data_root=str(tmp_path),
                     pipeline=TEST_PIPELINE))
    assert ds.metainfo['queries'] == (
        dict(query='living', img_ids=('img/14_03.jpg',)),
        dict(query='room', img_ids=('img/14_03.jpg', 'img/15_01.jpg')))
    first = ds.get_data_info(0)
    assert first['words'] == ['living', 'room'] and first['rendered'] == ['LIVING', 'Room']
    assert (first['width'], first['height']) == (12, 8)
    np.testing.assert_array_equal(first['polygons'][0], [[1, 2], [6, 2], [6, 5], [1, 5]])
    assert ds[1]['data_samples'].words == ['room']


def test_svt_malformed_xml_is_named(tmp_path):
    cfg = dict(type='SVTRetrievalDataset', data_root=str(tmp_path))
    (tmp_path / 'test.xml').write_text('<tagset><image><imageName>a.jpg</imageName>')
    with pytest.raises(AnnotationFormatError, match='test.xml: not valid XML'):
        _build(cfg)
    (tmp_path / 'test.xml').write_text(SVT_XML.replace('height="2" ', ''))
    with pytest.raises(AnnotationFormatError,
                       match="taggedRectangle> of img/14_03.jpg needs x, y, width, height.*"
                             "KeyError: 'height'"):
        _build(cfg)


def _polygt(path, rows):
    """Total-Text's poly_gt_<image>.mat: 'polygt', an N x 6 cell array of rows
    ('x:', 1 x K xs, 'y:', 1 x K ys, text, orientation)."""
    cells = np.empty((len(rows), 6), object)
    for i, (xs, ys, text, orient) in enumerate(rows):
        cells[i] = ['x:', np.array([xs]), 'y:', np.array([ys]), text, orient]
    savemat(str(path), {'polygt': cells})


def test_total_text_queries_are_words_occurring_min_count_times(tmp_path):
    _images(tmp_path / 'Images' / 'Test', ['img1.jpg', 'img2.JPG'])
    ann = tmp_path / 'Groundtruth' / 'Polygon' / 'Test'
    ann.mkdir(parents=True)
    box = ([1, 5, 5, 1], [1, 1, 4, 4])
    curve = ([0, 4, 8, 8, 4, 0], [2, 0, 2, 5, 3, 5])
    _polygt(ann / 'poly_gt_img1.mat', [(*box, 'CAFE', 'h'), (*curve, "Cafe's", 'c'),
                                       (*box, '#', '#'), (*box, 'to', 'h')])
    _polygt(ann / 'poly_gt_img2.mat', [(*box, 'cafe', 'h'), (*box, 'BAR', 'h')])
    ds = _build(dict(type='TotalTextRetrievalDataset', data_root=str(tmp_path), min_count=2,
                     pipeline=TEST_PIPELINE))
    # letters and digits only, >= 3 of them: '#' and 'to' are dropped, "Cafe's" is 'cafes';
    # 'cafe' occurs twice (a query at min_count 2), 'cafes' and 'bar' once
    first = ds.get_data_info(0)
    assert first['words'] == ['cafe', 'cafes'] and first['rendered'] == ['CAFE', "Cafe's"]
    assert ds.metainfo['queries'] == (dict(query='cafe', img_ids=('img1.jpg', 'img2.JPG')),)
    np.testing.assert_allclose(sorted(map(tuple, first['polygons'][0])),
                               [(1, 1), (1, 4), (5, 1), (5, 4)])
    assert first['polygons'].shape == (2, 4, 2)  # the curved word: its min-area rectangle
    assert ds[1]['inputs'].shape == (3, 8, 12)
    (ann / 'poly_gt_img2.mat').unlink()
    savemat(str(ann / 'poly_gt_img2.mat'), {'gt': np.zeros(2)})
    with pytest.raises(AnnotationFormatError, match=r"poly_gt_img2\.mat: no key 'polygt'"):
        _build(dict(type='TotalTextRetrievalDataset', data_root=str(tmp_path)))


def test_ctr_reads_queries_and_word_files(tmp_path):
    _images(tmp_path / 'images', ['COCO_1.jpg', 'COCO_2.jpg'])
    (tmp_path / 'gts').mkdir()
    (tmp_path / 'gts' / 'COCO_1.txt').write_text('STOP\nMain-St.\n')
    (tmp_path / 'gts' / 'COCO_2.txt').write_text('stop\n')
    (tmp_path / 'queries.txt').write_text('stop\nmainst\nexit\n')
    ds = _build(dict(type='CTRDataset', data_root=str(tmp_path), pipeline=TEST_PIPELINE))
    assert ds.metainfo['queries'] == (dict(query='stop', img_ids=('COCO_1.jpg', 'COCO_2.jpg')),
                                      dict(query='mainst', img_ids=('COCO_1.jpg',)),
                                      dict(query='exit', img_ids=()))
    assert ds.get_data_info(0)['words'] == ['stop', 'mainst']
    assert ds[0]['data_samples'].img_path.endswith('images/COCO_1.jpg')
    # a query without relevant images has no AP (NaN), left out of the mean
    scores = {'COCO_1.jpg': [0.2, 0.9, 0.5], 'COCO_2.jpg': [0.1, 0.3, 0.5]}
    assert _map(ds, scores) == pytest.approx(100.0)
    (tmp_path / 'queries.txt').write_text('\n\n')
    with pytest.raises(AnnotationFormatError, match='queries.txt: no queries'):
        _build(dict(type='CTRDataset', data_root=str(tmp_path)))


def test_the_paper_config_pads_iiit_str_to_640_squares_and_trains_at_640(tmp_path,
                                                                        synthworld_root):
    import os.path as osp

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    config = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'text_retrieval',
                      'fdp_r50-clip_iiit-str-640.py')
    cfg = Config.fromfile(config)
    init_default_scope(cfg.default_scope)
    _images(tmp_path / 'imgDatabase', ['img_1.jpg', 'img_2.jpg'])
    _iiit_mat(tmp_path / 'data.mat', [('hotel', ['img_2.jpg'])])
    test = _build(dict(cfg.test_dataloader.dataset, data_root=str(tmp_path)))
    image = test[1]['inputs']  # 12x8 padded at the bottom to 12x12, then 640x640
    assert image.shape == (3, 640, 640)
    assert image[:, :420].float().mean() == pytest.approx(40, abs=1)
    assert image[:, -100:].max() == 0  # bicubic spreads the edge over ~1 source pixel
    pipeline = cfg.train_dataloader.dataset.pipeline  # words of a 96 px world are < 8 px
    pipeline[2]['min_text_size'] = 1
    train = _build(dict(cfg.train_dataloader.dataset, data_root=synthworld_root,
                        pipeline=pipeline))
    sample = train[0]
    assert sample['inputs'].shape == (3, 640, 640)
    assert sample['data_samples'].gt_text_kernel.shape == (20, 20)  # the C5 grid at 640 px
    assert sample['data_samples'].gt_text_kernel.sum() > 0
