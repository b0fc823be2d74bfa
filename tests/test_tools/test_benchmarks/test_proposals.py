"""``tools/benchmark.py sam-proposals`` runs end to end on the tiny SAM; what
``pmp-synthworld`` reads back from a trained SynthWorld PMP run."""
import json
import os.path as osp

import pytest

from ovseg.testing import import_tool

common = import_tool('benchmarks.common')
list_benchmarks, load_benchmarks = common.list_benchmarks, common.load_benchmarks

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIG = osp.join(REPO, 'configs', 'proposals', 'pmp_r18-w16_1xb8-1k_synthworld-128x128.py')


def test_sam_proposals_benchmark_tiny(tmp_path, capsys):
    assert 'sam-proposals' in list_benchmarks()
    import argparse
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['sam-proposals'].setup(parser)
    args = parser.parse_args(['--sam', 'tiny', '--clip', 'ovseg-tiny-vit', '--clip-size', '32',
                              '--repeats', '1', '--out', str(tmp_path / 'out.json')])
    out = run(args)
    assert set(out['seconds']) == {'amg-32', 'amg-16', 'text-prompted', 'image-encoder'}
    assert out['masks']['text-prompted'] == 3 and out['image_size'] == 64
    assert set(out['ratios']) == {'amg-32 / text-prompted', 'amg-16 / text-prompted'}
    assert json.loads((tmp_path / 'out.json').read_text())['num_classes'] == 3
    assert out['device'] == 'cpu'
    assert '| amg-32 |' in capsys.readouterr().out


@pytest.fixture(scope='module')
def synthworld_root(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=4, num_val=2, seed=0, config=SceneConfig(image_size=64), workers=1,
             log=None)
    return root


@pytest.mark.slow
def test_pmp_synthworld_reads_back_a_trained_run(synthworld_root, tmp_path):
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
    proposals = import_tool('benchmarks.proposals')
    assert proposals._final_val_metrics(str(tmp_path))['mIoU'] == pytest.approx(metrics['mIoU'],
                                                                               abs=0.01)
    abo = proposals.proposal_best_overlap(CONFIG, osp.join(str(tmp_path), 'iter_3.pth'),
                                          data_root=synthworld_root)
    assert abo['regions_seen'] > 0 and 0 <= abo['abo_seen'] <= 100
