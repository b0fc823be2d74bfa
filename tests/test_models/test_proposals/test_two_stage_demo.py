"""demo/image_demo.py on a tiny two-stage model: overlay, proposal tiles, empty proposals, and
the same model without a checkpoint (weights from ``init_weights``)."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ovseg.testing import load_script
from proposal_utils import tiny_two_stage_cfg

VOCAB = ['cat', 'dog', 'tree', 'sky', 'road']


@pytest.fixture(scope='module')
def tiny_two_stage(tmp_path_factory):
    from mmseg.registry import MODELS
    root = tmp_path_factory.mktemp('two_stage_demo')
    from ovseg.apis import load_test_metainfo
    # a test dataset whose metainfo names the classes (never loaded: the demo reads its
    # metainfo), with the demo's own palette, so that the overlays equal those drawn for
    # --vocabulary
    palette = [list(c) for c in load_script('demo/image_demo.py').palette(len(VOCAB))]
    test_dataloader = dict(dataset=dict(type='BaseSegDataset', data_root='nowhere',
                                        metainfo=dict(classes=VOCAB, palette=palette)))
    cfg = Config(dict(model=tiny_two_stage_cfg(), default_scope='mmseg', test_pipeline=[
        dict(type='LoadImageFromFile'), dict(type='PackSegInputs')],
        test_dataloader=test_dataloader))
    cfg.dump(str(root / 'tiny.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(tiny_two_stage_cfg())
    model.init_weights()
    # the checkpoint of the init_weights model, with the test set's metainfo as a Runner
    # checkpoint stores it
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=load_test_metainfo(cfg))), root / 'tiny.pth')
    image = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    cv2.imwrite(str(root / 'img.png'), image)
    return root


def test_demo_draws_each_proposal_with_its_top_classes(tiny_two_stage, tmp_path):
    demo = load_script('demo/image_demo.py')
    out, grid_path = demo.run(str(tiny_two_stage / 'img.png'), str(tiny_two_stage / 'tiny.py'),
                              str(tiny_two_stage / 'tiny.pth'), out=str(tmp_path / 'out.png'),
                              proposals_out=str(tmp_path / 'proposals.png'), top_k=2,
                              max_proposals=4)
    overlay = cv2.imread(out)
    assert overlay.shape[0] >= 48 and overlay.shape[1] > 64  # image plus legend
    grid = cv2.imread(grid_path)
    # 6 queries, 4 tiles drawn in one row; landscape tiles 160 px wide, 120 px + 2 text lines
    assert grid.shape == (120 + 16 * 2 + 4, 4 * 160, 3)


def test_demo_without_checkpoint_equals_the_checkpoint_of_the_same_init(tiny_two_stage, tmp_path,
                                                                       capsys):
    demo = load_script('demo/image_demo.py')
    img, config = str(tiny_two_stage / 'img.png'), str(tiny_two_stage / 'tiny.py')
    demo.run(img, config, str(tiny_two_stage / 'tiny.pth'), out=str(tmp_path / 'ckpt.png'),
             proposals_out=str(tmp_path / 'ckpt_proposals.png'))
    torch.manual_seed(0)  # init_weights draws the same random weights as the checkpoint's
    demo.main([img, config, '--out', str(tmp_path / 'init.png'),
               '--proposals-out', str(tmp_path / 'init_proposals.png')])
    printed = capsys.readouterr().out
    assert ("[demo] no checkpoint: weights from init_weights (the config's pretrained parts), "
            "classes from the config's test dataset") in printed
    for name in ('', '_proposals'):
        with_ckpt = cv2.imread(str(tmp_path / f'ckpt{name}.png'))
        without = cv2.imread(str(tmp_path / f'init{name}.png'))
        assert with_ckpt is not None and with_ckpt.shape[1] > 64  # image plus legend / tiles
        np.testing.assert_array_equal(without, with_ckpt)


def test_demo_refuses_proposal_tiles_for_other_models(tmp_path):
    from mmseg.registry import MODELS
    one_stage = dict(tiny_two_stage_cfg(), type='ProposalSegmentor')  # proposals are the segments
    del one_stage['mask_classifier']
    Config(dict(model=one_stage, default_scope='mmseg', test_pipeline=[
        dict(type='LoadImageFromFile'), dict(type='PackSegInputs')])).dump(str(tmp_path / 'p.py'))
    init_default_scope('mmseg')
    torch.save(dict(state_dict=MODELS.build(one_stage).state_dict(),
                    meta=dict(dataset_meta=dict(classes=VOCAB))), tmp_path / 'p.pth')
    cv2.imwrite(str(tmp_path / 'img.png'), np.zeros((32, 32, 3), np.uint8))
    demo = load_script('demo/image_demo.py')
    with pytest.raises(SystemExit, match='--proposals-out needs a two-stage model'):
        demo.run(str(tmp_path / 'img.png'), str(tmp_path / 'p.py'), str(tmp_path / 'p.pth'),
                 out=str(tmp_path / 'o.png'), proposals_out=str(tmp_path / 'grid.png'))


def test_proposal_grid_ranks_proposals_and_handles_none():
    demo = load_script('demo/image_demo.py')
    image = np.full((20, 40, 3), 200, np.uint8)
    masks = np.zeros((3, 20, 40))
    masks[1, 5:15, 10:30] = 1
    scores = np.array([[0.1, 0.2], [0.9, 0.05], [0.3, 0.4]])
    grid = demo.proposal_grid(image, masks, scores, ['a', 'b'], top_k=1, max_proposals=2,
                              tile=40)
    assert grid.shape == (20 + 16 + 4, 2 * 40, 3)
    first = grid[:20, :40]  # proposal 1 (best score 0.9): bright inside, dimmed outside
    assert first[10, 20].tolist() == [200, 200, 200] and first[1, 1].tolist() == [50, 50, 50]
    empty = demo.proposal_grid(image, masks[:0], scores[:0], ['a', 'b'])
    assert empty.ndim == 3 and empty.shape[1] == 160


def test_overlay_leaves_ignored_pixels_uncoloured():
    demo = load_script('demo/image_demo.py')
    image = np.full((10, 10, 3), 100, np.uint8)
    labels = np.full((10, 10), 255)
    labels[:, :5] = 1
    out = demo.overlay_with_legend(image, labels, ['a', 'b'], demo.palette(2), 1.0)
    assert tuple(out[0, 0]) == demo.palette(2)[1] and out[0, 9].tolist() == [100, 100, 100]
