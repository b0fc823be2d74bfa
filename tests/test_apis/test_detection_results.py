"""Detector results dumped by mmdet (``tools/test.py --out``) read as boxes, without running
code named in the file."""
import os
import pickle

import numpy as np
import pytest
from test_apis.detection_utils import dump_mmdet_results

from ovseg.apis.detection_results import DetectionResultsError, read_detection_results


def test_mmdet_dump_read_and_thresholded(tmp_path):
    path = tmp_path / 'results.pkl'
    dump_mmdet_results(path, [('/data/a.png', [[1, 2, 30, 40], [5, 5, 9, 9]], [0.9, 0.1]),
                               ('/data/b.png', np.zeros((0, 4)), [])])
    boxes = read_detection_results(str(path), score_thr=0.3)
    assert boxes == {'/data/a.png': [[1.0, 2.0, 30.0, 40.0]], '/data/b.png': []}
    assert len(read_detection_results(str(path))['/data/a.png']) == 2


def test_proposal_file_with_numpy_arrays(tmp_path):
    path = tmp_path / 'proposals.pkl'
    with open(path, 'wb') as file:
        pickle.dump({'img/a.png': dict(bboxes=np.array([[0., 0, 10, 10]]),
                                       scores=np.array([0.5]))}, file)
    assert read_detection_results(str(path)) == {'img/a.png': [[0.0, 0.0, 10.0, 10.0]]}


class _RunsCode:
    def __reduce__(self):
        return (os.system, ('echo unpickled > /dev/null',))


def test_a_pickle_that_names_code_is_refused(tmp_path):
    path = tmp_path / 'evil.pkl'
    with open(path, 'wb') as file:
        pickle.dump([dict(img_path='a.png', pred_instances=_RunsCode())], file)
    with pytest.raises(DetectionResultsError, match=r'evil.pkl cannot be read as data: '
                                                    r'global posix.system is not allowed'):
        read_detection_results(str(path))


@pytest.mark.parametrize('content, message', [
    ([1, 2], 'expected a list of mmdet results'),
    ({'a.png': dict(scores=[1.0])}, "image a.png: no 'bboxes'"),
    ({'a.png': dict(bboxes=[[0, 0, 1]])}, r'got shape \(1, 3\)'),
    ({'a.png': dict(bboxes=[[0, 0, 1, 1]], scores=[0.1, 0.2])}, '1 boxes but 2 scores'),
])
def test_malformed_results_are_named(tmp_path, content, message):
    path = tmp_path / 'bad.pkl'
    with open(path, 'wb') as file:
        pickle.dump(content, file)
    with pytest.raises(DetectionResultsError, match=message):
        read_detection_results(str(path))
    with pytest.raises(FileNotFoundError, match='missing.pkl does not exist'):
        read_detection_results(str(tmp_path / 'missing.pkl'))
