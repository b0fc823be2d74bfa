"""Caption views, object crops and packing for CLIP pretraining."""
import re

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose

import ovseg.datasets  # noqa: F401  (registers the transforms)
from ovseg.datasets import SynthWorldCaptionDataset
from ovseg.datasets.synthworld import SYNTHWORLD_THINGS
from ovseg.datasets.transforms import (ObjectCrops, PackCaptionInputs, RandomCaptionView,
                                       drop_words, noun_list, noun_phrases, phrases_naming,
                                       square_window, swap_attribute_word, swap_head_noun)
from ovseg.datasets.synthworld import ATTRIBUTE_PARENT, ATTRIBUTE_TYPES


def test_phrases_naming_finds_article_phrases_only():
    captions = ['a large hollow blue dotted star behind a small red ring on sand, next to a '
                'sign that says "star".',
                'two shapes over sand: a hollow blue star and a red ring.']
    assert phrases_naming(captions, 'star') == ['a large hollow blue dotted star',
                                                'a hollow blue star']
    assert phrases_naming(captions, 'ring') == ['a small red ring', 'a red ring']
    assert phrases_naming(captions, 'heart') == []
    # a phrase never runs across "and" or another article
    assert phrases_naming(['a black arrow and a gray diamond'], 'diamond') == ['a gray diamond']


def test_noun_phrases_need_no_vocabulary():
    assert noun_phrases('five shapes over sand: a red ring, an orange hollow moon and a '
                        'blue star.') == ['a red ring', 'an orange hollow moon', 'a blue star']
    assert noun_phrases('a large star left of a small heart in front of a brick wall, next '
                        'to a sign that says "cat".') == [
        'a large star', 'a small heart', 'a brick wall', 'a sign that says "cat"']


@pytest.mark.parametrize('box, image_size', [((0, 0, 10, 20), (100, 100)),
                                             ((90, 85, 99, 99), (100, 100)),
                                             ((10, 10, 90, 90), (64, 100))])
def test_square_window_stays_in_image_and_covers_box(box, image_size):
    x1, y1, x2, y2 = square_window(box, scale=1.2, shift=(0.0, 0.0), image_size=image_size)
    height, width = image_size
    assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
    side = round(1.2 * max(box[2] - box[0], box[3] - box[1]))
    if side <= min(image_size):
        assert x2 - x1 == y2 - y1 == side
        assert x1 <= box[0] and y1 <= box[1] and x2 >= box[2] and y2 >= box[3]


@pytest.fixture
def train_record(synthworld_root):
    dataset = SynthWorldCaptionDataset(
        data_root=synthworld_root, ann_file='annotations/captions_train.json',
        instance_file='annotations/instances_train.json',
        data_prefix=dict(img_path='img_dir/train'))
    return next(dataset.get_data_info(i) for i in range(len(dataset))
                if dataset.get_data_info(i)['instances'])


def test_random_caption_view_pairs_crops_with_their_phrases(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    names = [SYNTHWORLD_THINGS[inst['bbox_label']] for inst in train_record['instances']]
    np.random.seed(0)
    objects = RandomCaptionView(object_prob=1.0)
    allowed = {p for n in names for p in phrases_naming(train_record['captions'], n)}
    allowed |= {f'a {n}' for n in names} | {f'an {n}' for n in names}  # repeated classes
    for _ in range(10):
        results = objects(load(dict(train_record)))
        assert results['text'] in allowed
        assert results['img'].shape[0] == results['img'].shape[1] < 96
    whole = RandomCaptionView(object_prob=0.0)(load(dict(train_record)))
    assert whole['text'] in train_record['captions'] and whole['img'].shape == (96, 96, 3)


def test_name_views_keep_only_the_class_name(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    names = {SYNTHWORLD_THINGS[inst['bbox_label']] for inst in train_record['instances']
             if phrases_naming(train_record['captions'], SYNTHWORLD_THINGS[inst['bbox_label']])}
    bare = {('an ' if n[0] in 'aeiou' else 'a ') + n for n in names}
    np.random.seed(0)
    view = RandomCaptionView(object_prob=1.0, name_prob=1.0)
    assert {view(load(dict(train_record)))['text'] for _ in range(10)} <= bare


def test_noun_list_views_name_every_captioned_shape(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    heads = {p.split(' ')[-1] for c in train_record['captions'] for p in noun_phrases(c)}
    results = RandomCaptionView(object_prob=0.0, noun_list_prob=1.0)(load(dict(train_record)))
    assert results['img_shape'] == (train_record['height'], train_record['width'])  # whole image
    listed = {item.split(' ')[-1] for item in re.split(', | and ', results['text'])}
    assert listed == {h for h in heads if h.isalpha()}
    assert noun_list(['a sign that says "find".']) is None


def test_hard_negatives_swap_only_the_class_noun(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    np.random.seed(0)
    view = RandomCaptionView(object_prob=1.0, negative_prob=1.0)
    for _ in range(10):
        results = view(load(dict(train_record)))
        text, negative = results['text'].split(' '), results['negative_text'].split(' ')
        assert len(text) == len(negative) and text[-1] != negative[-1]
        assert text[1:-1] == negative[1:-1]  # same attributes (the article may change)
    assert swap_head_noun('a star', 'star', ['star', 'arrow']) == 'an arrow'
    assert swap_head_noun('a star', 'star', ['star']) is None
    whole = RandomCaptionView(object_prob=0.0, negative_prob=1.0)(load(dict(train_record)))
    assert 'negative_text' not in whole


def test_swap_attribute_word_changes_one_attribute_within_its_type():
    np.random.seed(0)
    text = 'a large hollow cyan striped trapezoid'
    negatives = {swap_attribute_word(text, ATTRIBUTE_TYPES, ('plain', 'filled'))
                 for _ in range(200)}
    for negative in negatives:
        words, swapped = text.split(' '), negative.split(' ')
        if len(swapped) == len(words):  # one word replaced by another of its type
            changed = [(a, b) for a, b in zip(words, swapped) if a != b]
            assert len(changed) == 1 and ATTRIBUTE_PARENT[changed[0][0]] == \
                ATTRIBUTE_PARENT[changed[0][1]]
        else:  # one word swapped to an implicit value: 'striped' -> plain, 'hollow' -> filled
            assert len(swapped) == len(words) - 1 and set(swapped) < set(words)
    # every type is swapped, both implicit values are reached, never to an unwritten word
    assert 'a small hollow cyan striped trapezoid' in negatives
    assert 'a large hollow pink striped trapezoid' in negatives
    assert 'a large hollow cyan checkered trapezoid' in negatives
    assert 'a large cyan striped trapezoid' in negatives and 'a large hollow cyan trapezoid' \
        in negatives
    assert not any(w in n.split(' ') for n in negatives for w in ('plain', 'filled'))
    # the article follows the new word; texts without an attribute word get none
    assert swap_attribute_word('an orange star', {'color': ('orange', 'red')}) == 'a red star'
    assert swap_attribute_word('a red star.', {'color': ('orange', 'red')}) == 'an orange star.'
    # only the chosen token changes, when a caption repeats the word for two objects
    assert swap_attribute_word('a hollow star and a hollow ring', {'fill': ('filled', 'hollow')},
                               implicit=('filled',)) in ('a star and a hollow ring',
                                                         'a hollow star and a ring')
    assert swap_attribute_word('a star', ATTRIBUTE_TYPES) is None
    assert swap_attribute_word('a sign that says "plain"', ATTRIBUTE_TYPES) is None


def test_attribute_negatives_on_caption_views(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    np.random.seed(0)
    view = RandomCaptionView(object_prob=1.0, attribute_negative_prob=1.0)
    for _ in range(10):
        results = view(load(dict(train_record)))
        if any(w in ATTRIBUTE_PARENT for w in results['text'].split(' ')):
            assert results['negative_text'] != results['text']
            assert results['negative_text'].split(' ')[-1] == results['text'].split(' ')[-1]
        else:
            assert 'negative_text' not in results
    bare = RandomCaptionView(object_prob=1.0, name_prob=1.0, attribute_negative_prob=1.0)
    assert 'negative_text' not in bare(load(dict(train_record)))
    # a grey view drops the colour words: a negative that differed in colour only is dropped
    grey = RandomCaptionView(object_prob=0.0, phrase_prob=1.0, gray_prob=1.0,
                             attribute_negative_prob=1.0,
                             attribute_types={'color': ATTRIBUTE_TYPES['color']})
    for _ in range(5):
        assert 'negative_text' not in grey(load(dict(train_record)))


def test_erased_view_hides_labelled_objects(synthworld_root):
    dataset = SynthWorldCaptionDataset(
        data_root=synthworld_root, ann_file='annotations/captions_train.json',
        instance_file='annotations/instances_train.json',
        data_prefix=dict(img_path='img_dir/train'),
        pipeline=[dict(type='LoadImageFromFile')])
    view = RandomCaptionView(object_prob=0.0, erase_prob=1.0)
    checked = 0
    for i in range(len(dataset)):
        results = dataset[i]
        erased = view._erased_view(results)
        if erased is None:
            continue
        img, phrases = erased
        names = [SYNTHWORLD_THINGS[inst['bbox_label']] for inst in results['instances']]
        assert not any(p.endswith(' ' + n) for p in phrases for n in names)
        x1, y1, x2, y2 = (int(v) for v in results['instances'][0]['bbox'])
        assert (img[y1:y2, x1:x2] != results['img'][y1:y2, x1:x2]).any()
        assert view(dict(results))['text'] in phrases
        checked += 1
    assert checked, 'no training image with both labelled and unlabelled objects'


def test_gray_views_lose_colour_in_image_and_text(train_record):
    load = Compose([dict(type='LoadImageFromFile')])
    view = RandomCaptionView(object_prob=0.0, gray_prob=1.0)(load(dict(train_record)))
    img = view['img']
    assert (img[..., 0] == img[..., 1]).all() and (img[..., 1] == img[..., 2]).all()
    colours = ('red', 'blue', 'green', 'yellow', 'orange', 'pink', 'cyan', 'purple', 'white',
               'black', 'brown', 'gray')
    assert not set(view['text'].replace('.', ' ').replace(',', ' ').split()) & set(colours)
    assert drop_words('An orange star and an Orange ring.', ['orange']) == 'A star and a ring.'


def test_object_crops_and_packing(train_record):
    pipeline = Compose([dict(type='LoadImageFromFile'), dict(type='ObjectCrops', size=32),
                        dict(type='Resize', scale=(48, 48), keep_ratio=False),
                        dict(type='PackCaptionInputs', pack_captions=True)])
    packed = pipeline(dict(train_record))
    num = len(train_record['instances'])
    sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 48, 48) and packed['inputs'].dtype == torch.uint8
    assert sample.crop_inputs.shape == (num, 3, 32, 32)
    assert sample.gt_crop_labels.tolist() == [i['bbox_label'] for i in train_record['instances']]
    assert sample.captions == train_record['captions']
    assert sample.img_path == train_record['img_path']

    empty = ObjectCrops(size=32)(dict(img=np.zeros((40, 40, 3), np.uint8), instances=[]))
    assert empty['crops'].shape == (0, 32, 32, 3) and empty['crop_labels'].shape == (0,)
    assert PackCaptionInputs()(empty)['data_samples'].crop_inputs.shape == (0, 3, 32, 32)
