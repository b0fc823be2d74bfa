import csv

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ovseg.datasets.synthworld import SceneConfig, render_scene, seg_metainfo
from ovseg.datasets.masked_regions import RegionPairWriter
from ovseg.models.mask_adapted import (CaptionRegionMiner, MaskCLIPClassifier, assign_nouns,
                                       build_noun_index, extract_nouns, nltk_nouns)
from ovseg.models.utils import label_map_masks
from ovseg.models.clip import TextClassifier

META = seg_metainfo()
CLASSES = list(META['classes'])


def test_extract_nouns_from_synthworld_captions():
    index = build_noun_index(META['class_synonyms'])
    caption = ('a small hollow red striped star left of a blue disk in front of a brick wall, '
               'next to a sign that says "moon".')
    assert extract_nouns(caption, index) == [('star', 'star'), ('disk', 'circle'),
                                             ('brick wall', 'brick'), ('sign', 'sign')]
    assert extract_nouns('three shapes over grass: two crescents.', index) == [
        ('grass', 'grass'), ('crescent', 'moon')]
    assert extract_nouns('nothing here', index) == []


def test_assign_nouns_picks_best_valid_region():
    regions = F.normalize(torch.eye(3), dim=-1)
    nouns = F.normalize(torch.tensor([[0., 1., 0.1], [1., 0., 0.], [0.1, 0., 1.]]), dim=-1)
    index, score = assign_nouns(regions, torch.tensor([True, True, False]), nouns)
    assert index.tolist() == [1, 0, 0]  # noun 2 matches region 2 best, but it is invalid
    torch.testing.assert_close(score, nouns[[0, 1, 2], [1, 0, 0]])
    index, _ = assign_nouns(regions, torch.zeros(3, dtype=torch.bool), nouns)
    assert index.tolist() == [-1, -1, -1]


def _oracle_miner(label_map: torch.Tensor) -> CaptionRegionMiner:
    """Region embedding = one-hot of the majority GT class under the mask ("perfect CLIP")."""
    num = len(CLASSES)

    def embed_regions(image, masks):
        valid = (masks > 0.4).flatten(1).any(1)
        out = torch.zeros(masks.shape[0], num)
        for q, mask in enumerate(masks > 0.4):
            labels = label_map[mask]
            labels = labels[labels < num]
            if len(labels):
                out[q, torch.bincount(labels, minlength=num).argmax()] = 1
        return out, valid

    index = build_noun_index(META['class_synonyms'])

    def embed_texts(nouns):
        return torch.stack([F.one_hot(torch.tensor(CLASSES.index(index[tuple(n.split())])), num)
                            .float() for n in nouns])

    return CaptionRegionMiner(embed_regions=embed_regions, embed_texts=embed_texts,
                              noun_index=index, crop_size=32)


@pytest.mark.parametrize('one_to_one', [False, True])
def test_mining_a_synthworld_caption_picks_the_right_mask(tmp_path, one_to_one):
    scene = render_scene(np.random.default_rng(5), SceneConfig(image_size=96))
    label_map = torch.from_numpy(scene.semantic).long()
    masks, labels = label_map_masks(label_map)
    masks = masks.float()
    image = torch.from_numpy(scene.image).permute(2, 0, 1).float()
    miner = _oracle_miner(label_map)
    miner.one_to_one = one_to_one
    pairs = miner.mine(image, masks, scene.captions)
    named = {c for cap in scene.captions for _, c in extract_nouns(cap, miner.noun_index)}
    assert {p['category'] for p in pairs} == named and pairs
    for pair in pairs:
        assert CLASSES[int(labels[pair['index']])] == pair['category']
        assert pair['crop'].shape == (32, 32, 3) and pair['crop'].dtype == np.uint8
        assert set(np.unique(pair['mask'])) <= {0, 255}
    with RegionPairWriter(str(tmp_path)) as writer:
        writer.write(7, pairs)
    rows = list(csv.DictReader(open(tmp_path / 'pairs.tsv'), delimiter='\t'))
    assert len(rows) == len(pairs) and rows[0]['title'] == pairs[0]['noun']
    assert (tmp_path / rows[0]['filepath']).is_file() and (tmp_path / rows[0]['mask_path']).is_file()


def test_miner_from_real_models_runs():
    torch.manual_seed(0)
    clf = MaskCLIPClassifier(clip=dict(type='MaskPromptViT', model_name='ovseg-tiny-vit',
                                       prompt_depth=1))
    text = TextClassifier(text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'),
                          templates='single')
    miner = CaptionRegionMiner.from_models(clf, text, noun_index=build_noun_index(['star', 'sky']))
    masks = torch.zeros(2, 40, 40)
    masks[0, 5:20, 5:20] = 1
    masks[1, 20:, :] = 1
    pairs = miner.mine(torch.rand(3, 40, 40) * 255, masks, ['a star in the sky.', 'stars'])
    assert [p['noun'] for p in pairs] == ['star', 'sky']
    assert all(p['crop'].shape == (32, 32, 3) for p in pairs)


def test_nltk_is_optional():
    try:
        import nltk  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='pip install nltk'):
            nltk_nouns('a cat on a mat')
    else:
        pytest.skip('nltk installed; its tagger data may not be')


def test_one_to_one_assignment_spreads_nouns():
    regions = F.normalize(torch.tensor([[1., 0.2], [0.6, 1.]]), dim=-1)
    nouns = F.normalize(torch.tensor([[1., 0.], [1., 0.5]]), dim=-1)  # both prefer region 0
    valid = torch.tensor([True, True])
    assert assign_nouns(regions, valid, nouns)[0].tolist() == [0, 0]
    assert assign_nouns(regions, valid, nouns, one_to_one=True)[0].tolist() == [0, 1]
    index, _ = assign_nouns(regions, torch.tensor([True, False]), nouns, one_to_one=True)
    assert sorted(index.tolist()) == [-1, 0]


def test_noun_index_follows_the_vocabulary_rule():
    from ovseg.models.clip import VocabularyError
    with pytest.raises(VocabularyError, match='duplicates'):
        build_noun_index(['brick, brick wall', 'sky', 'Brick,  brick wall'])


def test_miner_leaves_the_model_vocabulary():
    torch.manual_seed(0)
    clf = MaskCLIPClassifier(clip=dict(type='MaskPromptViT', model_name='ovseg-tiny-vit',
                                       prompt_depth=1))
    text = TextClassifier(text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'),
                          templates='single', vocabulary=['circle, disk', 'grass'])
    text.eval()
    before = text().clone()
    miner = CaptionRegionMiner.from_models(clf, text, noun_index=build_noun_index(['star', 'sky']))
    masks = torch.zeros(2, 40, 40)
    masks[0, 5:20, 5:20] = 1
    masks[1, 20:, :] = 1
    assert miner.mine(torch.rand(3, 40, 40) * 255, masks, ['a star in the sky.'])
    assert text.vocabulary == ['circle, disk', 'grass']
    torch.testing.assert_close(text(), before, atol=0, rtol=0)
