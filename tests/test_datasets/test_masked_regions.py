"""Region-noun pairs: what ``RegionPairWriter`` writes, ``MaskedRegionDataset`` reads back."""
import csv

import numpy as np

from ovseg.datasets.masked_regions import (PAIR_COLUMNS, LoadRegionMask, MaskedRegionDataset,
                                           RegionPairWriter)


def test_written_pairs_read_back(tmp_path):
    crop = np.zeros((8, 8, 3), np.uint8)
    crop[2:6, 2:6] = (200, 10, 10)
    mask = np.zeros((8, 8), np.uint8)
    mask[2:6, 2:6] = 255
    pairs = [dict(noun='star', category='star', index=3, score=0.91234, crop=crop, mask=mask),
             dict(noun='pebble', category='rock', index=0, score=0.5, crop=crop, mask=mask)]
    with RegionPairWriter(str(tmp_path)) as writer:
        writer.write(7, pairs)
    assert writer.count == 2
    with open(tmp_path / 'pairs.tsv', newline='', encoding='utf-8') as file:
        rows = list(csv.reader(file, delimiter='\t'))
    assert tuple(rows[0]) == PAIR_COLUMNS
    assert rows[1] == ['crops/7_0_3.png', 'star', 'masks/7_0_3.png', 'star', '7', '0.9123']

    dataset = MaskedRegionDataset(ann_file=str(tmp_path / 'pairs.tsv'),
                                  metainfo=dict(classes=('rock', 'star')), lazy_init=False)
    items = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(d['text'], d['category'], d['gt_label']) for d in items] == [
        ('star', 'star', 1), ('pebble', 'rock', 0)]
    assert items[0]['img_path'] == str(tmp_path / 'crops' / '7_0_3.png')
    loaded = LoadRegionMask()(dict(img=crop, mask_path=items[0]['mask_path']))
    np.testing.assert_array_equal(loaded['region_mask'], mask // 255)
