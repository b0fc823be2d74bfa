"""ovseg/apis/inputs.py: paths, arrays, lists, folders and videos as InputItems."""
import cv2
import numpy as np
import pytest

from ovseg.apis.inputs import as_rgb_uint8, expand_inputs
from ovseg.utils.errors import InputError


def _video(path, frames: int = 3):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 5, (32, 24))
    for i in range(frames):
        writer.write(np.full((24, 32, 3), 40 * i, np.uint8))
    writer.release()


def test_folder_list_and_video(tmp_path):
    (tmp_path / 'imgs').mkdir()
    for name in ('b.png', 'a.jpg', 'notes.txt'):
        (tmp_path / 'imgs' / name).write_bytes(b'x')
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'a.png').write_bytes(b'x')
    _video(tmp_path / 'clip.avi')
    array = np.zeros((4, 5, 3), np.uint8)
    items, total = expand_inputs([str(tmp_path / 'imgs'), array, str(tmp_path / 'clip.avi'),
                                  str(tmp_path / 'other' / 'a.png')])
    items = list(items)
    assert total == 7 == len(items)
    assert [i.stem for i in items] == ['a', 'b', '00000002', 'clip_000000', 'clip_000001',
                                       'clip_000002', 'a_1']
    assert [i.index for i in items] == list(range(7))
    assert items[0].path.endswith('a.jpg') and items[2].array is not None
    assert items[4].array.shape == (24, 32, 3) and items[4].path is None


@pytest.mark.parametrize('bad, match', [([], 'no inputs'), (np.zeros((4, 4, 2), np.uint8),
                                                             'shape'),
                                        (np.zeros((4, 4, 3), np.float32), 'dtype'),
                                        (3, 'int')])
def test_bad_inputs_are_named(bad, match):
    with pytest.raises(InputError, match=match):
        expand_inputs(bad)


def test_empty_folder_and_unreadable_video(tmp_path):
    with pytest.raises(InputError, match=f'folder {tmp_path} has no images'):
        expand_inputs(str(tmp_path))
    (tmp_path / 'broken.mp4').write_bytes(b'not a video')
    with pytest.raises(InputError, match='cannot read video .*broken.mp4'):
        expand_inputs(str(tmp_path / 'broken.mp4'))


def test_arrays_become_rgb_uint8():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert as_rgb_uint8(gray).shape == (3, 4, 3)
    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[..., 3] = 255
    assert as_rgb_uint8(rgba).max() == 0
    deep = np.full((3, 4, 3), 65535, np.uint16)
    assert as_rgb_uint8(deep).dtype == np.uint8 and as_rgb_uint8(deep).max() == 255
