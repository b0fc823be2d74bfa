"""Scene-text retrieval dataset of SynthWorld: images with word polygons, plus word queries."""
import os.path as osp
from typing import List, Sequence, Union

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


@DATASETS.register_module()
class SynthWorldWordReadingDataset(SynthWorldTextRetrievalDataset):
    """The SynthWorld text images as a zero-shot reading test: the classes are the dictionary.

    As :class:`SynthWorldTextRetrievalDataset` (one item per image, its words and polygons),
    but ``metainfo['classes']`` is the whole dictionary (``vocabulary``), in order, and
    ``metainfo['seen']`` flags the words a CLIP's word pretraining may crop: all but
    ``heldout_words``. With :class:`~ovseg.datasets.transforms.WordCrops` in the pipeline,
    ``ContrastiveCLIP`` scores every readable word crop against every dictionary word and
    ``ZeroShotClassificationMetric`` reports top-k accuracy for trained (``seen``) and
    held-out (``unseen``) words (configs/synthworld/synthclip_rn-s_synthworld-words-cls-96.py).

    Args:
        heldout_words (str | Sequence[str]): words, or a word list's name, never trained on.
            Defaults to ``'synthworld-heldout'`` (the word recipes' ``exclude_words``).
        **kwargs: :class:`SynthWorldTextRetrievalDataset` arguments.

    Raises:
        VocabularyError: a held-out word is not in the dictionary (one ``error:`` line at
            the command line).
    """

    def __init__(self, *, heldout_words: Union[str, Sequence[str]] = 'synthworld-heldout',
                 **kwargs) -> None:
        self.heldout_words = heldout_words
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the images; classes = the dictionary, ``seen`` = not held out."""
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.clip.vocabulary import VocabularyError
        from ...models.text_retrieval.word_lists import get_word_list
        data_list = super().load_data_list()
        heldout = {w.lower() for w in get_word_list(self.heldout_words)}
        dictionary = tuple(w.lower() for w in self._metainfo['vocabulary'])
        unknown = heldout - set(dictionary)
        if unknown:
            raise VocabularyError(f'{type(self).__name__}: heldout_words {sorted(unknown)[:5]} are not '
                             'in the dictionary (metainfo vocabulary)')
        self._metainfo['classes'] = dictionary
        self._metainfo['seen'] = tuple(w not in heldout for w in dictionary)
        return data_list
