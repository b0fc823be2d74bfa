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
