"""tools/quickstart.py: an existing world is reused only when it has the quickstart's counts."""
import importlib.util
import json
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _quickstart():
    spec = importlib.util.spec_from_file_location('quickstart_cli',
                                                  osp.join(ROOT, 'tools', 'quickstart.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_world_is_regenerated_unless_its_counts_match(tmp_path):
    quickstart = _quickstart()
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps(dict(quickstart.WORLD, image_size=160, version=1)))
    assert quickstart._world_matches(str(meta))
    older = {k: v for k, v in quickstart.WORLD.items() if k != 'num_closeup'}  # no close-ups
    meta.write_text(json.dumps(older))
    assert not quickstart._world_matches(str(meta))
