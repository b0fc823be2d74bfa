"""ovseg.datasets.synthworld.text_dataset: word queries and their polygons."""
from mmengine.registry import DATASETS

import ovseg.datasets  # noqa: F401  (registers the datasets)


def test_text_retrieval_dataset(synthworld_root):
    dataset = DATASETS.build(dict(
        type='SynthWorldTextRetrievalDataset', data_root=synthworld_root,
        ann_file='annotations/text_val.json', data_prefix=dict(img_path='img_dir/val')))
    queries = dataset.metainfo['queries']
    assert queries and len(dataset.metainfo['vocabulary']) >= 200
    ids = {dataset[i]['img_id']: dataset[i] for i in range(len(dataset))}
    for query in queries:
        assert all(query['query'] in ids[i]['words'] for i in query['img_ids'])
    for item in ids.values():
        assert item['polygons'].shape == (len(item['words']), 4, 2)


def test_query_words_are_the_classes_and_min_words_filters(synthworld_root):
    kwargs = dict(type='SynthWorldTextRetrievalDataset', data_root=synthworld_root,
                  ann_file='annotations/text_train.json', data_prefix=dict(img_path='img_dir/train'))
    everything = DATASETS.build(kwargs)
    with_words = DATASETS.build(dict(kwargs, filter_cfg=dict(min_words=1)))
    assert everything.metainfo['classes'] == tuple(
        q['query'] for q in everything.metainfo['queries'])
    counts = [len(everything[i]['words']) for i in range(len(everything))]
    assert 0 in counts  # the fixture has images without signs
    assert len(with_words) == sum(c >= 1 for c in counts)
    assert all(with_words[i]['words'] for i in range(len(with_words)))


def test_word_reading_dataset_classes_are_the_dictionary_and_held_out_words_unseen(
        synthworld_root):
    from ovseg.models.text_retrieval import get_word_list
    dataset = DATASETS.build(dict(
        type='SynthWorldWordReadingDataset', data_root=synthworld_root,
        ann_file='annotations/text_val.json', data_prefix=dict(img_path='img_dir/val'),
        filter_cfg=dict(min_words=1),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='WordCrops', size=32),
                  dict(type='PackCaptionInputs')]))
    classes, seen = dataset.metainfo['classes'], dataset.metainfo['seen']
    assert classes == get_word_list('synthworld') and len(seen) == len(classes)
    heldout = set(get_word_list('synthworld-heldout'))
    assert [c for c, s in zip(classes, seen) if not s] == [c for c in classes if c in heldout]
    sample = dataset[0]['data_samples']
    words = [w.lower() for w in dataset.get_data_info(0)['words']]
    assert sample.crop_inputs.shape[1:] == (3, 32, 32)
    assert {classes[i] for i in sample.gt_crop_labels.tolist()} <= set(words)


def test_word_reading_dataset_refuses_held_out_words_outside_the_dictionary(synthworld_root):
    import pytest
    with pytest.raises(ValueError, match='heldout_words'):
        DATASETS.build(dict(type='SynthWorldWordReadingDataset', data_root=synthworld_root,
                            ann_file='annotations/text_val.json', heldout_words=['qqqq']))
