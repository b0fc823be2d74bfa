"""Open-vocabulary evaluation dataset configs: class counts and ignore values, built offline."""
import json
import os.path as osp
import warnings

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, TRANSFORMS

import ovseg.datasets  # noqa: F401
from ovseg.datasets.open_vocab_benchmarks import list_open_vocab_benchmarks, read_class_names

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
# stem: (dataset class, classes, ignore index, names read from a dataset file)
EXPECTED = {
    'ade20k-150': ('ADE20KDataset', 150, 255, None),
    'ade20k-847': ('ADE20K847Dataset', 847, 65535, 'ade20k_847_classes.json'),
    'pascal-context-59': ('PascalContextDataset59', 59, 255, None),
    'pascal-context-459': ('PascalContext459Dataset', 459, 65535, 'labels.txt'),
    'pascal-voc-20': ('PascalVOC20Dataset', 20, 255, None),
    'coco-stuff-171': ('COCOStuffDataset', 171, 255, None),
}


def _fake_root(root, names_file, num):
    """An empty data root holding only the dataset's label file (no images)."""
    (root / 'JPEGImages').mkdir(exist_ok=True)  # mmseg's PC-59 asserts the image folder exists
    if names_file == 'labels.txt':  # Pascal Context's format: '<id>: <name>', ids from 1
        (root / names_file).write_text(
            '\n'.join(f'{i}: thing {i}' for i in range(num, 0, -1)))
    elif names_file is not None:  # detectron2-style category list, out of order
        cats = [dict(name=f'thing {i}, synonym', trainId=i) for i in reversed(range(num))]
        (root / names_file).write_text(json.dumps(cats))
    return str(root)


@pytest.mark.parametrize('stem', list_open_vocab_benchmarks())
def test_dataset_config_metainfo(stem, tmp_path):
    init_default_scope('mmseg')
    dataset_type, num, ignore, names_file = EXPECTED[stem]
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', f'{stem}_ov.py'))
    assert cfg.test_evaluator.type == 'IoUMetric'
    assert cfg.test_evaluator.ignore_index == ignore
    dataset_cfg = dict(cfg.test_dataloader.dataset, lazy_init=True,
                       data_root=_fake_root(tmp_path, names_file, num))
    dataset = DATASETS.build(dataset_cfg)
    assert type(dataset).__name__ == dataset_type
    assert len(dataset.metainfo['classes']) == num and dataset.ignore_index == ignore
    if names_file == 'labels.txt':
        assert dataset.metainfo['classes'][:2] == ('thing 1', 'thing 2')
    elif names_file is not None:
        assert dataset.metainfo['classes'][0] == 'thing 0, synonym'
    if ignore == 65535:
        assert any(t.type == 'LoadAnnotations16Bit' for t in cfg.test_pipeline)


def test_names_file_missing_or_wrong(tmp_path):
    init_default_scope('mmseg')
    with warnings.catch_warnings(record=True):
        warnings.simplefilter('always')
        lazy = DATASETS.build(dict(type='PascalContext459Dataset', data_root=str(tmp_path),
                                   lazy_init=True))
    assert lazy.metainfo.get('classes') is None and lazy.metainfo['num_classes'] == 459
    with pytest.raises(FileNotFoundError, match='labels.txt'):
        DATASETS.build(dict(type='PascalContext459Dataset', data_root=str(tmp_path)))
    (tmp_path / 'labels.txt').write_text('1: cat\n2: dog\n')
    with pytest.raises(ValueError, match='2 classes'):
        DATASETS.build(dict(type='PascalContext459Dataset', data_root=str(tmp_path),
                            lazy_init=True))


def test_read_class_names_formats(tmp_path):
    (tmp_path / 'a.txt').write_text('wall\nbuilding, edifice\n\n')
    (tmp_path / 'b.txt').write_text('2: dog\n1: cat\n')
    (tmp_path / 'c.json').write_text(json.dumps(['sky', 'sea']))
    assert read_class_names(str(tmp_path / 'a.txt')) == ['wall', 'building, edifice']
    assert read_class_names(str(tmp_path / 'b.txt')) == ['cat', 'dog']
    assert read_class_names(str(tmp_path / 'c.json')) == ['sky', 'sea']


@pytest.mark.parametrize('suffix', ['.tif', '.png'])
def test_16bit_annotations_keep_large_ids(tmp_path, suffix):
    label = np.array([[0, 255, 256], [846, 65535, 7]], dtype=np.uint16)
    path = str(tmp_path / f'label{suffix}')
    assert cv2.imwrite(path, label)
    load = TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))
    out = load(dict(seg_map_path=path, reduce_zero_label=False, seg_fields=[]))
    assert out['gt_seg_map'].dtype == np.uint16
    assert out['gt_seg_map'].tolist() == label.tolist()
    reduced = TRANSFORMS.build(dict(type='LoadAnnotations16Bit', reduce_zero_label=True))(
        dict(seg_map_path=path, reduce_zero_label=True, seg_fields=[]))
    assert reduced['gt_seg_map'].tolist() == [[65535, 254, 255], [845, 65535, 6]]
