"""ovseg.testing.runs: the tiny run's options, losses read back from a (resumed) run."""
import json
import os.path as osp

from ovseg.apis import load_config
from ovseg.testing import parse_cfg_options
from ovseg.testing.runs import TINY_RUN_CONFIG, logged_losses, tiny_run_options

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write_run(work_dir, name: str, records: list) -> None:
    folder = work_dir / name / 'vis_data'
    folder.mkdir(parents=True)
    (folder / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in records))


def test_a_resumed_run_overrides_the_iterations_it_repeats(tmp_path):
    _write_run(tmp_path, '20260101_000000', [dict(iter=1, loss=3.0), dict(iter=2, loss=2.0),
                                            dict(iter=2, acc=0.5)])
    _write_run(tmp_path, '20260101_000100', [dict(iter=2, loss=1.5), dict(iter=3, loss=1.0)])
    (tmp_path / '20260101_000200').mkdir()  # a run that logged nothing yet
    assert logged_losses(str(tmp_path)) == {1: 3.0, 2: 1.5, 3: 1.0}


def test_tiny_run_options_fit_the_config():
    """Every option names an entry the config has (a renamed pipeline step would not fit)."""
    options = tiny_run_options('/w', max_iters=3, workers=1, log_interval=5, checkpoint_interval=2)
    cfg = load_config(osp.join(ROOT, TINY_RUN_CONFIG), cfg_options=parse_cfg_options(options))
    assert cfg.model.model_name == 'ovseg-tiny-vit'
    assert (cfg.train_cfg.max_iters, cfg.train_cfg.val_interval) == (3, 3)
    assert cfg.default_hooks.logger.interval == 5 and cfg.default_hooks.checkpoint.interval == 2
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        assert loader.dataset.data_root == '/w' and loader.num_workers == 1
    assert cfg.train_dataloader.dataset.pipeline[2].scale == (32, 32)
    assert cfg.test_dataloader.dataset.pipeline[1].size == 32
    assert cfg.test_dataloader.dataset.pipeline[2].scale == (32, 32)
    defaults = tiny_run_options('/w')
    assert not any(o.startswith('default_hooks.') for o in defaults)
