"""tools/quickstart.py: an existing world is reused only when it has the quickstart's counts
and was written by this version of the generator."""
import json

from ovseg.datasets.synthworld.generate import FORMAT_VERSION
from ovseg.testing import load_script


def test_world_is_regenerated_unless_its_counts_and_version_match(tmp_path):
    quickstart = load_script('tools/quickstart.py')
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps(dict(quickstart.WORLD, image_size=160, version=FORMAT_VERSION)))
    assert quickstart._world_matches(str(meta))
    older = {k: v for k, v in quickstart.WORLD.items() if k != 'num_closeup'}  # no close-ups
    meta.write_text(json.dumps(dict(older, version=FORMAT_VERSION)))
    assert not quickstart._world_matches(str(meta))
    meta.write_text(json.dumps(dict(quickstart.WORLD, version=FORMAT_VERSION - 1)))
    assert not quickstart._world_matches(str(meta))


def test_data_root_reaches_every_dataset_of_the_clip_config():
    from argparse import Namespace

    from mmengine.config import Config
    quickstart = load_script('tools/quickstart.py')
    cfg = Config.fromfile(f'{quickstart.ROOT}/{quickstart.CLIP_CONFIG}')
    cfg.merge_from_dict(dict(option.split('=') for option in
                             quickstart._data_root_options(Namespace(data_root='elsewhere'))))
    train = cfg.train_dataloader.dataset
    for dataset in train.get('datasets', [train]) + [cfg.val_dataloader.dataset,
                                                       cfg.test_dataloader.dataset]:
        assert dataset.data_root == 'elsewhere'
    assert 'data_root' not in train or 'datasets' not in train  # no key on a ConcatDataset


def test_results_table_names_the_prompts(tmp_path):
    quickstart = load_script('tools/quickstart.py')
    text = quickstart.write_results(str(tmp_path / 'results.md'),
                                    {'zero_shot/top1_unseen': 34.08, 'other/x': 1.0}, 60.0)
    assert '(prompt templates: `synthworld`)' in text
    assert '| top1_unseen | 34.08 |' in text and 'other' not in text
    assert (tmp_path / 'results.md').read_text() == text
