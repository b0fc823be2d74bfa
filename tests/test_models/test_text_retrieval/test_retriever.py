"""ovseg.models.text_retrieval.retriever.FDPRetriever: modes, frozen CLIP, a tiny Runner run."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement

import ovseg.datasets  # noqa: F401  (registers datasets and transforms)
import ovseg.engine  # noqa: F401
import ovseg.evaluation  # noqa: F401
from ovseg.models.text_retrieval import FDPRetriever
from ovseg.testing import TINY_RN

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs/text_retrieval/fdp_synthclip-rn-s_synthworld.py')
WORDS = ['the', 'of', 'and', 'cat', 'cart', 'cast', 'bike', 'hotel']


def _model(pretrained, **kwargs) -> FDPRetriever:
    model = FDPRetriever(model_name=TINY_RN, pretrained=pretrained, image_size=64,
                         cluster_words=WORDS, dictionary=WORDS, probe_heads=4, **kwargs)
    model.init_weights()
    return model


def _batch(model, words):
    samples = [BaseDataElement(text=w, gt_text_kernel=torch.eye(2), gt_text_mask=torch.ones(2, 2))
               for w in words]
    images = [torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8) for _ in words]
    return model.data_preprocessor(dict(inputs=images, data_samples=samples), training=True)


def test_loss_terms_and_only_the_new_parts_train(tiny_rn_checkpoint):
    torch.manual_seed(0)
    model = _model(tiny_rn_checkpoint).train()
    losses = model(**_batch(model, ['cart', 'the', 'bike']), mode='loss')
    assert sorted(losses) == ['loss_contrastive', 'loss_distracted', 'loss_score_map']
    sum(losses.values()).backward()
    trained = {n for n, p in model.named_parameters() if p.grad is not None}
    assert {n.split('.')[0] for n in trained} == {'score_head', 'masked_pool', 'probe',
                                                  'prompts'}
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert not any(p.requires_grad for p in model.text_encoder.parameters())
    # the focus convs start as CLIP's pool projections, the clusters are fitted
    pool = model.backbone.visual.attnpool
    torch.testing.assert_close(model.score_head.v_proj.weight[:, :, 0, 0], pool.v_proj.weight)
    assert int(model.prompts.function_cluster) in (0, 1)


def test_predict_scores_every_query_and_needs_them_first(tiny_rn_checkpoint):
    model = _model(tiny_rn_checkpoint).eval()
    data = _batch(model, ['cart', 'the'])
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model(**data, mode='predict')
    model.set_vocabulary(['cart', 'the', 'hotel'])
    out = model(**data, mode='predict')
    assert out[0].pred_scores.shape == (3,) and out[0].image_embedding.shape == (32,)
    queries = model.encode_queries(['cart', 'the', 'hotel'])
    torch.testing.assert_close(out[1].pred_scores, out[1].image_embedding @ queries.t())
    assert model(**data, mode='tensor').shape == (2, 32)


def test_zero_shot_clip_is_the_plain_attention_pool(tiny_rn_checkpoint):
    model = _model(tiny_rn_checkpoint, with_focus=False, with_probe=False,
                   learnable_prompts=False).eval()
    images = torch.randn(2, 3, 64, 64)
    embedding = model(images, mode='tensor')
    c5 = model.backbone.visual.forward_intermediates(
        images, indices=[4], intermediates_only=True)['image_intermediates'][0]
    expected = torch.nn.functional.normalize(model.backbone.visual.attnpool(c5), dim=-1)
    torch.testing.assert_close(embedding, expected, atol=1e-5, rtol=1e-5)
    assert not any(p.requires_grad for p in model.parameters())


def test_queries_are_written_in_the_query_template(tiny_rn_checkpoint):
    model = _model(tiny_rn_checkpoint, with_focus=False, with_probe=False,
                   learnable_prompts=False, query_template='the word "{}"').eval()
    encoder = model.text_encoder
    expected = torch.nn.functional.normalize(
        encoder(encoder.tokenize(['the word "cat"', 'the word "of"'])), dim=-1)
    torch.testing.assert_close(model.encode_queries(['cat', 'of']), expected)


def _tiny_config(data_root: str, work_dir: str, pretrained: str) -> Config:
    """The SynthWorld FDP config on the tiny ResNet: 64 px images, batch 4, 6 iterations."""
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = work_dir
    cfg.model.update(model_name=TINY_RN, pretrained=pretrained, image_size=64, probe_heads=4)
    cfg.train_dataloader.batch_size = 4
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.data_root = data_root
    cfg.train_dataloader.dataset.pipeline[1].min_text_size = 1  # 64 px worlds: 8 px fonts
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 6
    cfg.default_hooks.checkpoint.interval = 6
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.mark.slow
def test_tiny_training_and_testing_through_the_runner(synthworld_64, tiny_rn_checkpoint,
                                                      tmp_path):
    work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(_tiny_config(synthworld_64, work_dir, tiny_rn_checkpoint))
    runner.train()
    for key in ('loss_contrastive', 'loss_distracted', 'loss_score_map'):
        values = runner.message_hub.get_scalar(f'train/{key}').data[0]
        assert len(values) == 6 and all(torch.isfinite(torch.tensor(values)))
    trained_mAP = runner.message_hub.get_scalar('val/mAP').current()
    assert 0 <= trained_mAP <= 100

    # the checkpoint alone (clusters included) reproduces the validation result
    cfg = _tiny_config(synthworld_64, str(tmp_path / 'test'), tiny_rn_checkpoint)
    cfg.model.pretrained = None
    cfg.load_from = osp.join(work_dir, 'iter_6.pth')
    metrics = Runner.from_cfg(cfg).test()
    assert metrics['mAP'] == pytest.approx(trained_mAP)
