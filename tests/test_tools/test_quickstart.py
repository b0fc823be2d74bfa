"""tools/quickstart.py: an existing world is reused only when it has the quickstart's counts."""
import json

from ovseg.testing import load_script


def test_world_is_regenerated_unless_its_counts_match(tmp_path):
    quickstart = load_script('tools/quickstart.py')
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps(dict(quickstart.WORLD, image_size=160, version=1)))
    assert quickstart._world_matches(str(meta))
    older = {k: v for k, v in quickstart.WORLD.items() if k != 'num_closeup'}  # no close-ups
    meta.write_text(json.dumps(older))
    assert not quickstart._world_matches(str(meta))
