"""demo/image_demo.py and OVSegInferencer on a tiny two-stage model: overlay, proposal view,
proposals as data, and the same model without a checkpoint (weights from ``init_weights``)."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ovseg.apis import OVSegInferencer
from ovseg.testing import load_script
from ovseg.utils.errors import InputError
from ovseg.visualization import palette
from proposal_utils import tiny_backbone_cfg, tiny_mask2former_head_cfg

VOCAB = ['cat', 'dog', 'tree', 'sky', 'road']


def _model_cfg() -> dict:
    """Tiny Mask2Former proposals (6 queries) classified by ``ovseg-tiny-vit`` in crop mode."""
    return dict(
        type='TwoStageOVSegmentor',
        proposal_generator=dict(type='MaskFormerProposalGenerator', backbone=tiny_backbone_cfg(),
                                head=tiny_mask2former_head_cfg()),
        mask_classifier=dict(type='MaskCLIPClassifier', mask_threshold=0.4, clip=dict(
            type='MaskPromptViT', model_name='ovseg-tiny-vit', prompt_depth=2,
            with_embeddings=True)),
        text_classifier=dict(type='TextClassifier', templates='single', text_encoder=dict(
            type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit')))


@pytest.fixture(scope='module')
def tiny_two_stage(tmp_path_factory):
    from mmseg.registry import MODELS
    root = tmp_path_factory.mktemp('two_stage_demo')
    from ovseg.apis import load_test_metainfo
    # a test dataset whose metainfo names the classes (never loaded: the demo reads its
    # metainfo), with the generated palette, so that the overlays equal those drawn for
    # --vocabulary
    test_dataloader = dict(dataset=dict(type='BaseSegDataset', data_root='nowhere',
                                        metainfo=dict(classes=VOCAB, palette=[
                                            list(c) for c in palette(len(VOCAB))])))
    cfg = Config(dict(model=_model_cfg(), default_scope='mmseg', test_pipeline=[
        dict(type='LoadImageFromFile'), dict(type='PackSegInputs')],
        test_dataloader=test_dataloader))
    cfg.dump(str(root / 'tiny.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg())
    model.init_weights()
    # the checkpoint of the init_weights model, with the test set's metainfo as a Runner
    # checkpoint stores it
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=load_test_metainfo(cfg))), root / 'tiny.pth')
    image = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    cv2.imwrite(str(root / 'img.png'), image)
    return root


def test_demo_draws_each_proposal_with_its_top_classes(tiny_two_stage, tmp_path):
    result = load_script('demo/image_demo.py').main([
        str(tiny_two_stage / 'img.png'), str(tiny_two_stage / 'tiny.py'),
        str(tiny_two_stage / 'tiny.pth'), '--out-dir', str(tmp_path), '--proposals',
        '--top-k', '2', '--max-proposals', '4'])
    overlay = cv2.imread(str(tmp_path / 'vis' / 'img.png'))
    assert overlay.shape[0] >= 48 and overlay.shape[1] > 64  # image plus legend
    grid = cv2.imread(str(tmp_path / 'vis' / 'img_proposals.png'))
    # 6 queries, 4 tiles drawn in one row; landscape tiles 160 px wide, 120 px + 2 text lines
    assert grid.shape == (120 + 16 * 2 + 4, 4 * 160, 3)
    proposals = result['predictions'][0]['proposals']
    assert len(proposals) == 6 and proposals[0]['mask'].shape == (48, 64)
    best = [max(p['scores'].values()) for p in proposals]
    assert best == sorted(best, reverse=True) and list(proposals[0]['scores']) == VOCAB


def test_demo_without_checkpoint_equals_the_checkpoint_of_the_same_init(tiny_two_stage, tmp_path,
                                                                       capsys):
    demo = load_script('demo/image_demo.py')
    img, config = str(tiny_two_stage / 'img.png'), str(tiny_two_stage / 'tiny.py')
    demo.main([img, config, str(tiny_two_stage / 'tiny.pth'), '--out-dir',
               str(tmp_path / 'ckpt'), '--proposals'])
    torch.manual_seed(0)  # init_weights draws the same random weights as the checkpoint's
    demo.main([img, config, '--out-dir', str(tmp_path / 'init'), '--proposals'])
    printed = capsys.readouterr().out
    assert ("[demo] no weights: weights from init_weights (the config's pretrained parts), "
            "classes from the config's test dataset") in printed
    for name in ('vis/img.png', 'vis/img_proposals.png', 'preds/img.png'):
        with_ckpt = cv2.imread(str(tmp_path / 'ckpt' / name), cv2.IMREAD_UNCHANGED)
        without = cv2.imread(str(tmp_path / 'init' / name), cv2.IMREAD_UNCHANGED)
        assert with_ckpt is not None
        np.testing.assert_array_equal(without, with_ckpt)


def test_proposals_need_a_two_stage_model(tmp_path):
    from mmseg.registry import MODELS
    from ovseg.models.mask_adapted.two_stage_segmentor import raw_rgb_preprocessor
    one_stage = dict(_model_cfg(), type='ProposalSegmentor',  # proposals are the segments
                     data_preprocessor=raw_rgb_preprocessor())
    del one_stage['mask_classifier']
    Config(dict(model=one_stage, default_scope='mmseg', test_pipeline=[
        dict(type='LoadImageFromFile'), dict(type='PackSegInputs')])).dump(str(tmp_path / 'p.py'))
    init_default_scope('mmseg')
    torch.save(dict(state_dict=MODELS.build(one_stage).state_dict(),
                    meta=dict(dataset_meta=dict(classes=VOCAB))), tmp_path / 'p.pth')
    cv2.imwrite(str(tmp_path / 'img.png'), np.zeros((32, 32, 3), np.uint8))
    inferencer = OVSegInferencer(str(tmp_path / 'p.py'), str(tmp_path / 'p.pth'))
    with pytest.raises(InputError, match='proposals needs a two-stage model'):
        inferencer(str(tmp_path / 'img.png'), proposals=True)
    # the proposal segmentor itself segments any vocabulary; its class scores are normalised
    (pred,) = inferencer(str(tmp_path / 'img.png'), vocabulary=['sun', 'sea'])['predictions']
    assert pred['sem_seg'].shape == (32, 32) and set(np.unique(pred['sem_seg'])) <= {0, 1}
    assert sum(pred['class_scores'].values()) == pytest.approx(1.0, abs=1e-4)


def test_repeated_vocabulary_runs_the_text_encoder_zero_times(tiny_two_stage):
    inferencer = OVSegInferencer(str(tiny_two_stage / 'tiny.py'), str(tiny_two_stage / 'tiny.pth'))
    encoder = inferencer.model.text_classifier.text_encoder
    calls = []
    handle = encoder.register_forward_hook(lambda *a: calls.append(1))
    try:
        image = str(tiny_two_stage / 'img.png')
        inferencer(image, vocabulary=['river', 'boat, ship'])
        first = len(calls)
        assert first > 0
        inferencer([image, image], vocabulary=['river', 'boat, ship'], batch_size=2)
        inferencer(image, vocabulary=['moon'])
        inferencer(image, vocabulary=['river', 'boat, ship'])  # still cached (LRU)
        assert len(calls) == first + 1
    finally:
        handle.remove()
