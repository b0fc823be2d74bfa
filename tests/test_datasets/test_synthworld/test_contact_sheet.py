"""ovseg.datasets.synthworld.contact_sheet: the PNG drawn from a generated root's files."""
import os.path as osp

import numpy as np
from PIL import Image

from ovseg.datasets.synthworld import make_contact_sheet


def test_sheet_tiles_the_asked_samples_at_the_asked_scale(synthworld_root):
    one = np.asarray(Image.open(make_contact_sheet(synthworld_root, num=1, scale=1)))
    path = make_contact_sheet(synthworld_root, num=4, scale=2, columns=2)
    assert path == osp.join(synthworld_root, 'contact_sheet.png')
    sheet = np.asarray(Image.open(path))
    assert sheet.ndim == 3 and sheet.shape[2] == 3
    # two columns of (image, overlay) pairs: scale 2 adds 96 px to each of the four 96 px views
    assert sheet.shape[1] - one.shape[1] == 4 * 96
    assert sheet.shape[0] >= 2 * 96 * 2  # two rows of 192 px views
    assert len(np.unique(sheet.reshape(-1, 3), axis=0)) > 50  # images, not a blank page
