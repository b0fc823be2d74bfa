"""ovseg.datasets.transforms.word_views: word crops with their spelling and a near miss."""
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from ovseg.datasets.transforms import RandomWordView, edit_neighbours, word_window

DICTIONARY = ('cart', 'card', 'care', 'cat', 'tent', 'the', 'then', 'zebra')


def _results(polygons, words, size=(100, 120)):
    # every pixel distinct, so a crop is identified by its values
    img = np.arange(size[0] * size[1] * 3, dtype=np.int64).reshape(size[0], size[1], 3)
    return dict(img=img, words=list(words), polygons=np.array(polygons, np.float32))


def _rotated_quad(cx, cy, length, height, degrees):
    t = np.deg2rad(degrees)
    u, v = np.array([np.cos(t), np.sin(t)]), np.array([-np.sin(t), np.cos(t)])
    return np.array([[cx, cy] - u * length / 2 - v * height / 2,
                     [cx, cy] + u * length / 2 - v * height / 2,
                     [cx, cy] + u * length / 2 + v * height / 2,
                     [cx, cy] - u * length / 2 + v * height / 2])


def test_crop_is_the_square_of_scale_times_the_longest_edge_around_the_word():
    quad = [[20, 40], [60, 40], [60, 50], [20, 50]]  # 40 x 10, centre (40, 45)
    view = RandomWordView(scale_range=(1.5, 1.5), max_shift=0.0, dictionary=DICTIONARY)
    results = _results([quad], ['cart'])
    img = results['img'].copy()
    out = view(results)
    # side 1.5 * 40 = 60 around (40, 45): x 10-70, y 15-75
    np.testing.assert_array_equal(out['img'], img[15:75, 10:70])
    assert out['img_shape'] == (60, 60)
    assert out['text'] == 'the word "cart"' and out['word'] == 'cart'


def test_a_rotated_word_uses_its_edge_not_its_bounding_box():
    quad = _rotated_quad(60, 50, 40, 10, 30)  # box about 39.6 x 28.7; longest edge 40
    assert word_window(quad, scale=1.5, shift=(0, 0), image_size=(100, 120)) == (30, 20, 90, 80)


def test_scale_and_shift_stay_in_their_ranges():
    quad = _rotated_quad(60, 50, 30, 10, 5)
    view = RandomWordView(dictionary=DICTIONARY)  # 1.2-1.6x, shift up to 10 %
    sides, offsets = [], []
    for seed in range(200):
        np.random.seed(seed)
        out = view(_results([quad], ['cart']))
        h, w = out['img'].shape[:2]
        assert h == w
        top, left = np.argwhere(_results([quad], ['cart'])['img'][..., 0]
                                == out['img'][0, 0, 0])[0]
        sides.append(h)
        offsets.append(max(abs(left + w / 2 - 60), abs(top + h / 2 - 50)) / w)
    assert 1.2 * 30 - 1 <= min(sides) < 1.25 * 30 and 1.55 * 30 < max(sides) <= 1.6 * 30 + 1
    assert max(offsets) <= 0.1 + 1 / 36 and max(offsets) > 0.07


def test_negative_is_a_dictionary_word_one_edit_away():
    view = RandomWordView(dictionary=DICTIONARY)
    quad = [[20, 40], [60, 40], [60, 50], [20, 50]]
    negatives = set()
    for seed in range(50):
        np.random.seed(seed)
        out = view(_results([quad], ['CART']))  # rendered upper-case: the text is lower-case
        assert out['text'] == 'the word "cart"'
        negative = out['negative_text'][len('the word "'):-1]
        assert negative in DICTIONARY and Levenshtein.distance('cart', negative) == 1
        negatives.add(negative)
    assert negatives == {'card', 'care', 'cat'}  # all of them drawn, 'tent' (3 edits) never
    # a word with no neighbour at distance 1 gets no negative
    assert 'negative_text' not in view(_results([quad], ['zebra']))
    assert 'negative_text' not in RandomWordView(dictionary=DICTIONARY, negative_prob=0.0)(
        _results([quad], ['cart']))


def test_edit_neighbours_are_exactly_distance_one():
    table = edit_neighbours(DICTIONARY)
    assert table['cart'] == ['card', 'care', 'cat']
    assert table['the'] == ['then'] and table['zebra'] == []
    for word, neighbours in table.items():
        assert all(Levenshtein.distance(word, n) == 1 for n in neighbours)


def test_same_seed_same_view():
    view = RandomWordView(dictionary=DICTIONARY)
    polygons = [[[20, 40], [60, 40], [60, 50], [20, 50]], _rotated_quad(60, 80, 30, 10, -4)]

    def draw(seed):
        np.random.seed(seed)
        out = view(_results(polygons, ['cart', 'then']))
        return out['img'], out['text'], out.get('negative_text')

    first, again = draw(7), draw(7)
    np.testing.assert_array_equal(first[0], again[0])
    assert first[1:] == again[1:]
    draws = [draw(seed) for seed in range(20)]
    assert len({(d[1], d[2], d[0].shape, int(d[0][0, 0, 0])) for d in draws}) > 5


def test_only_readable_words_are_cropped():
    view = RandomWordView(dictionary=DICTIONARY)
    tiny = [[20, 40], [60, 40], [60, 44], [20, 44]]  # 4 px high: unreadable
    big = [[20, 60], [60, 60], [60, 72], [20, 72]]
    for seed in range(20):
        np.random.seed(seed)
        # 'tent' is too small, 'dog' is not in the dictionary, '###' is not a word
        out = view(_results([tiny, big, big, big], ['tent', 'dog', '###', 'then']))
        assert out['word'] == 'then'
    assert view(_results([tiny, big], ['tent', 'dog'])) is None
    assert view(_results(np.zeros((0, 4, 2)), [])) is None


def test_template_needs_a_slot():
    with pytest.raises(ValueError, match='template'):
        RandomWordView(template='the word', dictionary=DICTIONARY)
    view = RandomWordView(template='{}.', dictionary=DICTIONARY, negative_prob=0.0)
    assert view(_results([[[20, 40], [60, 40], [60, 50], [20, 50]]], ['cat']))['text'] == 'cat.'



def test_word_crops_take_every_readable_word_centred_with_its_dictionary_index():
    from ovseg.datasets.transforms import WordCrops
    cart = [[20, 40], [60, 40], [60, 50], [20, 50]]  # 40 x 10, centre (40, 45)
    tiny = [[80, 10], [90, 10], [90, 14], [80, 14]]  # 4 px tall: unreadable
    crops = WordCrops(size=16, scale=1.5, dictionary=DICTIONARY)
    results = _results([cart, tiny, cart], ['Cart', 'the', 'zzz'])
    results['img'] = (results['img'] % 251).astype(np.uint8)  # an image as loaded
    window = results['img'][15:75, 10:70]
    out = crops(results)
    # only 'Cart' (case folded; 'the' too small, 'zzz' not in the dictionary)
    np.testing.assert_array_equal(out['crop_labels'], [DICTIONARY.index('cart')])
    np.testing.assert_array_equal(out['crop_boxes'], [[10, 15, 70, 75]])
    assert out['crops'].shape == (1, 16, 16, 3) and out['crops'].dtype == np.uint8
    import mmcv
    np.testing.assert_array_equal(out['crops'][0], mmcv.imresize(window, (16, 16)))


def test_word_crops_of_an_image_without_words_are_empty():
    from ovseg.datasets.transforms import WordCrops
    out = WordCrops(size=16, dictionary=DICTIONARY)(_results(np.zeros((0, 4, 2)), []))
    assert out['crops'].shape == (0, 16, 16, 3) and out['crop_labels'].shape == (0, )
