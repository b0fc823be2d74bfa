"""Scene-text retrieval dataset of SynthWorld: images with word polygons, plus word queries."""
import os.path as osp
from typing import List

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.fileio import load
from mmengine.registry import DATASETS

from .vocab import SYNTHWORLD_WORDS


@DATASETS.register_module()
class SynthWorldTextRetrievalDataset(BaseDataset):
    """SynthWorld images with the words on their signs (``annotations/text_<split>.json``).

    One item per image: ``img_path``, ``img_id``, ``height``, ``width``, ``words`` (list[str],
    lower-case dictionary words), ``rendered`` (as drawn: ``cart``, ``CART`` or ``Cart``) and
    ``polygons``: (N, 4, 2) float32 pixel corners of each word, clockwise from its top-left.
    After loading, ``metainfo['queries']`` holds one dict per word that occurs, with ``query``
    and ``img_ids`` (the relevant images), ``metainfo['classes']`` the query words in that
    order (what ``VocabularyHook`` hands a retriever's ``set_vocabulary``), and
    ``metainfo['vocabulary']`` is the full dictionary. ``filter_cfg=dict(min_words=1)``
    drops images with fewer words (training on (image, word) pairs).

    Args:
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments, e.g. ``data_root``,
            ``ann_file='annotations/text_val.json'``,
            ``data_prefix=dict(img_path='img_dir/val')``, ``pipeline``.

    Examples:
        >>> len(SynthWorldTextRetrievalDataset(lazy_init=True).metainfo['vocabulary']) >= 200
        True
    """
    METAINFO = dict(vocabulary=SYNTHWORLD_WORDS)

    def load_data_list(self) -> List[dict]:
        """Read one dict per image and the query list (into ``metainfo['queries']``)."""
        data = load(self.ann_file)
        self._metainfo['queries'] = tuple(dict(query=q['query'], img_ids=tuple(q['image_ids']))
                                          for q in data['queries'])
        self._metainfo['classes'] = tuple(q['query'] for q in self._metainfo['queries'])
        return [dict(img_path=osp.join(self.data_prefix.get('img_path', ''), image['file_name']),
                     img_id=image['id'], height=image['height'], width=image['width'],
                     words=[w['text'] for w in image['words']],
                     rendered=[w['rendered'] for w in image['words']],
                     polygons=np.array([w['polygon'] for w in image['words']],
                                       dtype=np.float32).reshape(-1, 4, 2))
                for image in data['images']]

    def filter_data(self) -> List[dict]:
        """Keep images with at least ``filter_cfg['min_words']`` words (default: all)."""
        min_words = (self.filter_cfg or {}).get('min_words', 0)
        return [item for item in self.data_list if len(item['words']) >= min_words]
