"""ovseg.compat.config: configs with stdlib imports and no ``_base_`` on Python 3.11."""
from mmengine.config import Config

import ovseg  # noqa: F401  (applies the compat patches)


def test_config_without_base_importing_os(tmp_path):
    cfg_file = tmp_path / 'plain.py'
    cfg_file.write_text("import os\nimport os.path as osp\nfrom os import path\n"
                        "data_root = osp.join('data', 'x')\nwork = path.basename('a/b')\n")
    cfg = Config.fromfile(str(cfg_file))
    assert cfg.data_root == 'data/x'
    assert cfg.work == 'b'


def test_config_with_base_still_works(tmp_path):
    (tmp_path / 'base.py').write_text("a = 1\n")
    (tmp_path / 'child.py').write_text("import os\n_base_ = ['./base.py']\nb = 2\n")
    cfg = Config.fromfile(str(tmp_path / 'child.py'))
    assert (cfg.a, cfg.b) == (1, 2)
