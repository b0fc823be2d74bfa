"""ovseg/datasets/seg_listing.py: a label map's missing image is an error, not a dropped sample."""
import pytest

from ovseg.datasets.synthworld import SceneConfig, SynthWorldSegDataset, generate


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp('seg_listing')
    generate(str(out), num_train=2, num_val=3, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    return out


def _val(root):
    return SynthWorldSegDataset(data_root=str(root), pipeline=[], data_prefix=dict(
        img_path='img_dir/val', seg_map_path='ann_dir/val'))


def test_complete_split_lists_every_image(world):
    assert len(_val(world)) == 3


def test_missing_image_is_an_error_naming_it(world, tmp_path):
    import shutil
    copy = tmp_path / 'world'
    shutil.copytree(world, copy)
    (copy / 'img_dir/val/000001.png').unlink()
    with pytest.raises(FileNotFoundError, match=r'img_dir/val/000001.png does not exist.*'
                                                r'ann_dir/val/000001.png'):
        _val(copy)
