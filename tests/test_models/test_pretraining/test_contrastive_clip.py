"""ContrastiveCLIP: modes, checkpoint export, and a tiny SynthWorld pretraining run."""
import math
import os.path as osp
import re
import subprocess
import sys

import mmcv
import numpy as np
import open_clip
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DATASETS, MODELS, DefaultScope
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement

import ovseg.datasets  # noqa: F401  (registers datasets and transforms)
import ovseg.engine  # noqa: F401
import ovseg.evaluation  # noqa: F401
from ovseg.datasets.synthworld import SYNTHWORLD_SEG_CLASSES
from ovseg.datasets.transforms import noun_phrases
from ovseg.models.clip import create_clip
from ovseg.models.pretraining import ContrastiveCLIP
from ovseg.testing import TINY_RN, TINY_VIT, build_tiny_clip, save_state_dict

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs/synthworld/synthclip_rn-s_synthworld-96.py')  # quickstart's
CAPTIONS_CONFIG = osp.join(ROOT, 'configs/synthworld/synthclip_rn-s_synthworld-captions-96.py')
REGIONS_CONFIG = osp.join(ROOT, 'configs/synthworld/synthclip_rn-s_synthworld-regions-96.py')
WORDS_CLS_CONFIG = osp.join(ROOT, 'configs/synthworld/synthclip_rn-s_synthworld-words-cls-96.py')
WORDS_RENDERED_CONFIG = osp.join(
    ROOT, 'configs/synthworld/synthclip_rn-s_synthworld-words-rendered-96.py')


def _batch(model, num: int = 4):
    samples = [BaseDataElement(text=f'a red star number {i}', captions=['a red star', 'two shapes'],
                               crop_inputs=torch.randint(0, 255, (i, 3, 32, 32), dtype=torch.uint8))
               for i in range(num)]
    inputs = [torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8) for _ in range(num)]
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples))


def test_modes_give_documented_shapes():
    model = MODELS.build(dict(type='ContrastiveCLIP', model_name=TINY_VIT))
    data = _batch(model)
    losses = model(**data, mode='loss')
    assert losses['loss_contrastive'].ndim == 0 and losses['loss_contrastive'].requires_grad
    losses['loss_contrastive'].backward()
    assert model.visual.conv1.weight.grad is not None
    assert model.text_encoder.token_embedding.weight.grad is not None

    image_embeds, text_embeds = model(**data, mode='tensor')
    assert image_embeds.shape == text_embeds.shape == (4, 32)
    assert torch.allclose(image_embeds.norm(dim=-1), torch.ones(4), atol=1e-5)

    model.eval()
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model(**_batch(model), mode='predict')
    model.set_vocabulary(['circle, disk', 'star', 'heart'])
    outputs = model(**_batch(model), mode='predict')
    for i, out in enumerate(outputs):
        assert out.img_embed.shape == (32,)
        assert out.caption_embeds.shape == (2, 32)
        assert out.crop_embeds.shape == (i, 32)
        assert out.crop_scores.shape == (i, 3)
        assert 'crop_inputs' not in out


def test_hard_negative_term_prefers_the_true_text():
    torch.manual_seed(0)
    model = ContrastiveCLIP(model_name=TINY_VIT)
    samples = [BaseDataElement(text='a red star', negative_text='a red ring'),
               BaseDataElement(text='a blue disk')]
    data = model.data_preprocessor(
        dict(inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)] * 2,
             data_samples=samples))
    losses = model(**data, mode='loss')
    image = model._encode_images(data['inputs'][:1])
    texts = model._encode_text(['a red star', 'a red ring'])
    scale = model.text_encoder.logit_scale.clamp(0, math.log(100)).exp()
    expected = F.cross_entropy(scale * image @ texts.t(), torch.zeros(1, dtype=torch.long))
    assert torch.allclose(losses['loss_hard_negative'], expected, atol=1e-5)
    model.hard_negative_weight = 0.0
    assert 'loss_hard_negative' not in model(**data, mode='loss')


def test_feature_distillation_pulls_the_student_to_a_frozen_teacher(tmp_path):
    teacher = build_tiny_clip(TINY_RN, seed=1)
    path = save_state_dict(teacher, str(tmp_path / 'teacher.pt'))
    torch.manual_seed(0)
    model = ContrastiveCLIP(model_name=TINY_VIT,
                            distill=dict(model_name=TINY_RN, pretrained=path, weight=2.0))
    model.init_weights()
    for name, value in teacher.state_dict().items():
        if not name.startswith('visual.'):  # the student's text tower starts as the teacher's
            assert torch.equal(model.text_encoder.state_dict()[name], value), name
    model.train()
    assert model.visual.training and not model.teacher_visual.training  # teacher BN frozen
    data = _batch(model)
    losses = model(**data, mode='loss')
    student = model._encode_images(data['inputs'])
    with torch.no_grad():
        target = teacher.encode_image(data['inputs'], normalize=True)
    expected = 2.0 * (student - target).pow(2).sum(-1).mean()
    assert torch.allclose(losses['loss_distill'], expected, atol=1e-5)
    losses['loss_distill'].backward()
    assert model.visual.conv1.weight.grad is not None
    assert all(p.grad is None for p in model.teacher_visual.parameters())
    assert 'loss_distill' not in ContrastiveCLIP(model_name=TINY_VIT)(**data, mode='loss')


def test_feature_distillation_rejects_bad_settings():
    with pytest.raises(ValueError,
                       match=r"unknown keys \['wieght'\].*missing keys \['pretrained'\]"):
        ContrastiveCLIP(model_name=TINY_VIT, distill=dict(model_name=TINY_RN, wieght=1.0))
    with pytest.raises(ValueError, match='embeds in 128 dimensions'):
        ContrastiveCLIP(model_name=TINY_VIT,
                        distill=dict(model_name='synthworld-rn-s', pretrained='x.pt'))


def test_word_head_classifies_the_crops_of_its_words():
    torch.manual_seed(0)
    model = ContrastiveCLIP(model_name=TINY_VIT,
                            word_head=dict(words=['cart', 'card', 'the'], weight=2.0, scale=5.0))
    # 'Card' is the head's word 1 (lower-cased); 'dog' is not one of its words, the last sample
    # (an object crop) has no word: both are left out
    samples = [BaseDataElement(text='the word "cart"', metainfo=dict(word='cart')),
               BaseDataElement(text='the word "dog"', metainfo=dict(word='dog')),
               BaseDataElement(text='the word "card"', metainfo=dict(word='Card')),
               BaseDataElement(text='a star')]
    data = model.data_preprocessor(
        dict(inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)] * 4,
             data_samples=samples))
    losses = model(**data, mode='loss')
    images = model._encode_images(data['inputs'][[0, 2]])
    expected = 2.0 * F.cross_entropy(model.word_head(5.0 * images), torch.tensor([0, 1]))
    assert torch.allclose(losses['loss_word'], expected, atol=1e-5)
    losses['loss_word'].backward()
    assert model.visual.conv1.weight.grad.abs().sum() > 0
    assert model.word_head.weight.shape == (3, 32)
    assert not any(k.startswith('word_head') for k in model.clip_state_dict())
    # a batch without any of its words: a zero loss that still reaches the head
    objects = model.data_preprocessor(dict(inputs=data['inputs'][3:], data_samples=samples[3:]))
    loss = model(**objects, mode='loss')['loss_word']
    assert loss.item() == 0 and loss.requires_grad
    assert 'loss_word' not in ContrastiveCLIP(model_name=TINY_VIT)(**data, mode='loss')


def test_word_head_rejects_bad_settings():
    with pytest.raises(ValueError, match=r"unknown keys \['wieght'\]"):
        ContrastiveCLIP(model_name=TINY_VIT, word_head=dict(words=['cart'], wieght=1.0))
    with pytest.raises(ValueError, match="'words'.*is required"):
        ContrastiveCLIP(model_name=TINY_VIT, word_head=dict(weight=1.0))
    with pytest.raises(KeyError, match='unknown word list'):
        ContrastiveCLIP(model_name=TINY_VIT, word_head=dict(words='no-such-list'))


@pytest.mark.parametrize('config', [WORDS_CLS_CONFIG, WORDS_RENDERED_CONFIG],
                         ids=['scene-signs', 'rendered-signs'])
def test_words_configs_label_word_crops_for_the_word_head(synthworld_64, config):
    cfg = Config.fromfile(config)
    cfg.train_dataloader.dataset.dataset.data_root = synthworld_64
    dataset = DATASETS.build(cfg.train_dataloader.dataset.dataset)
    cfg.model.model_name = TINY_RN
    model = MODELS.build(cfg.model)
    np.random.seed(0)
    assert len(dataset) > 0
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        # the crop's word is the head's label; held-out words are never cropped
        assert sample.text == f'the word "{sample.word}"'
        assert sample.word in model.word_index


def test_clip_state_dict_matches_open_clip(tmp_path):
    model = ContrastiveCLIP(model_name=TINY_VIT).eval()
    clip = open_clip.create_model(TINY_VIT).eval()
    clip.load_state_dict(model.clip_state_dict(), strict=True)
    images = torch.randn(2, 3, 32, 32)
    texts = ['a large red striped star', 'two shapes over grass: a disk and a heart.']
    tokens = open_clip.get_tokenizer(TINY_VIT)(texts)
    assert torch.allclose(clip.encode_image(images, normalize=True),
                          model._encode_images(images), atol=1e-5)
    assert torch.allclose(clip.encode_text(tokens, normalize=True),
                          model._encode_text(texts), atol=1e-5)


def _tiny_config(data_root: str, work_dir: str, config: str = CONFIG) -> Config:
    """A SynthWorld CLIP config (the quickstart's), shrunk: tiny ResNet, 32 px, batch 8,
    40 iterations."""
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    cfg.model.model_name = TINY_RN
    cfg.train_dataloader.batch_size = 8
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
    train = cfg.train_dataloader.dataset
    for dataset in train.get('datasets', [train]) + [cfg.val_dataloader.dataset]:
        dataset.data_root = data_root
    for dataset in train.get('datasets', [train]):
        view = dataset.pipeline[2]  # Resize, or RandomMaskedRegionView (crops to its size)
        if view.type == 'Resize':
            view.scale = (32, 32)
        else:
            view.size = 32
    cfg.val_dataloader.dataset.pipeline[1].size = 32
    cfg.val_dataloader.dataset.pipeline[2].scale = (32, 32)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 40
    cfg.default_hooks.checkpoint.interval = 40
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize('config', [CONFIG, CAPTIONS_CONFIG, REGIONS_CONFIG],
                         ids=['object-names', 'captions', 'regions'])
def test_tiny_pretraining_learns_and_exports(synthworld_64, tmp_path, config):
    work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(_tiny_config(synthworld_64, work_dir, config=config))
    runner.train()

    losses = runner.message_hub.get_scalar('train/loss_contrastive').data[0]
    assert len(losses) == 40
    assert losses[-10:].mean() < 0.8 * losses[:10].mean()
    path = osp.join(work_dir, runner.cfg.custom_hooks[1].filename)
    assert osp.isfile(path)

    trained = runner.model.eval()
    images = torch.randn(2, 3, 32, 32)
    texts = ['a red star', 'a hollow blue heart']
    expected_image, expected_text = trained._encode_images(images), trained._encode_text(texts)
    tokens = open_clip.get_tokenizer(TINY_RN)(texts)
    # the export hook also registered the weights under the config's name, in the test's cache
    name = runner.cfg.custom_hooks[1].name
    for clip in (create_clip(TINY_RN, pretrained=path), create_clip(TINY_RN, pretrained=name),
                 open_clip.create_model(TINY_RN, pretrained=path).eval()):
        assert torch.allclose(clip.encode_image(images, normalize=True), expected_image, atol=1e-5)
        assert torch.allclose(clip.encode_text(tokens, normalize=True), expected_text, atol=1e-5)

    reloaded = ContrastiveCLIP(model_name=TINY_RN, pretrained=path)
    reloaded.init_weights()
    assert torch.allclose(reloaded.eval()._encode_images(images), expected_image, atol=1e-5)

    # the same weights, extracted from the mmengine checkpoint by the converter
    converted = str(tmp_path / 'converted.pt')
    subprocess.run([sys.executable, osp.join(ROOT, 'tools/convert/synthclip_from_mmengine.py'),
                    osp.join(work_dir, 'iter_40.pth'), converted], check=True, cwd=ROOT)
    clip = create_clip(TINY_RN, pretrained=converted)
    assert torch.allclose(clip.encode_image(images, normalize=True), expected_image, atol=1e-5)


def test_quickstart_config_pairs_objects_and_closeups_with_their_nouns(synthworld_64, tmp_path):
    cfg = _tiny_config(synthworld_64, str(tmp_path / 'work'))
    objects, closeups = (DATASETS.build(d) for d in cfg.train_dataloader.dataset.datasets)
    assert len(objects) == 16 and len(closeups) == 4
    classes = objects.metainfo['classes']
    for i in range(len(objects)):  # a labelled object's crop with its bare class name
        labels = {classes[inst['bbox_label']] for inst in objects.get_data_info(i)['instances']}
        if labels:
            assert re.fullmatch('an? (.+)', objects[i]['data_samples'].text).group(1) in labels
    for i in range(len(closeups)):  # a close-up with the head nouns of its captions
        heads = {p.split(' ')[-1] for c in closeups.get_data_info(i)['captions']
                 for p in noun_phrases(c)}
        text = closeups[i]['data_samples'].text
        assert {item.split(' ')[-1] for item in re.split(', | and ', text)} == heads
        assert closeups[i]['inputs'].shape == (3, 32, 32)  # the whole close-up


def test_regions_config_adds_named_masked_regions(synthworld_64, tmp_path):
    cfg = _tiny_config(synthworld_64, str(tmp_path / 'work'), config=REGIONS_CONFIG)
    with DefaultScope.overwrite_default_scope('mmseg'):  # mmseg's LoadAnnotations, as the Runner
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        assert [len(d) for d in dataset.datasets] == [16, 4, 16]
        regions = dataset.datasets[2]
        for i in range(len(regions)):  # a region of a labelled class, with its name
            labels = np.unique(mmcv.imread(regions.get_data_info(i)['seg_map_path'], 'unchanged'))
            named = {SYNTHWORLD_SEG_CLASSES[v] for v in labels if v != 255}
            sample = regions[i]
            assert sample['inputs'].shape == (3, 32, 32)
            assert re.fullmatch('an? (.+)', sample['data_samples'].text).group(1) in named


@pytest.mark.slow
def test_validation_reports_zero_shot_metrics(synthworld_64, tmp_path):
    cfg = _tiny_config(synthworld_64, str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    metrics = runner.val()
    for key in ('top1', 'top1_seen', 'top1_unseen', 'chance', 'i2t_recall@1', 'i2t_recall@5',
                't2i_recall@1', 't2i_recall@5'):
        assert 0.0 <= metrics[f'zero_shot/{key}'] <= 100.0
    assert metrics['zero_shot/chance'] == pytest.approx(100 / 14)
