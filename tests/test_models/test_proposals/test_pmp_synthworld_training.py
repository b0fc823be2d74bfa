"""A SynthWorld PMP proposal config trains and validates through the mmengine Runner."""
import os.path as osp

import pytest

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIG = osp.join(REPO, 'configs', 'proposals', 'pmp_r18-w16_1xb8-1k_synthworld-128x128.py')


@pytest.fixture(scope='module')
def synthworld_root(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=4, num_val=2, seed=0, config=SceneConfig(image_size=64), workers=1,
             log=None)
    return root


@pytest.mark.slow
def test_runner_trains_pmp_on_seen_classes(synthworld_root, tmp_path):
    from mmengine.runner import Runner

    from ovseg.apis import load_config
    cfg = load_config(CONFIG, work_dir=str(tmp_path))
    cfg.model.text_classifier.text_encoder.pretrained = None
    cfg.train_cfg.max_iters = 3
    cfg.train_cfg.val_interval = 3
    cfg.param_scheduler = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = synthworld_root
        cfg[loader].batch_size = 2
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.default_hooks.checkpoint.interval = 3
    cfg.default_hooks.logger.interval = 1
    runner = Runner.from_cfg(cfg)
    head = runner.model.proposal_generator.head
    before = head.text_proj.weight.detach().clone()
    runner.train()
    assert not head.text_proj.weight.equal(before)  # the text attention is trained
    assert runner.model.num_vocabulary == 17  # seen classes only (restored after validation)
    assert 'heart' not in ' '.join(runner.model.text_classifier.vocabulary)
    metrics = runner.val_loop.run()
    assert {'mIoU', 'mIoU_seen', 'mIoU_unseen', 'hIoU'} <= set(metrics)
    assert osp.isfile(osp.join(str(tmp_path), 'iter_3.pth'))

    # what `tools/benchmark.py pmp-synthworld` reads back: final val metrics and the
    # class-agnostic best overlap of the proposals with seen / unseen regions
    from ovseg.apis.benchmark_proposals import _final_val_metrics, proposal_best_overlap
    assert _final_val_metrics(str(tmp_path))['mIoU'] == pytest.approx(metrics['mIoU'], abs=0.01)
    abo = proposal_best_overlap(CONFIG, osp.join(str(tmp_path), 'iter_3.pth'),
                                data_root=synthworld_root)
    assert abo['regions_seen'] > 0 and 0 <= abo['abo_seen'] <= 100
