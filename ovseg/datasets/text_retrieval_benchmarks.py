"""Scene-text retrieval benchmarks in their released formats: IIIT-STR, SVT, Total-Text, CTR.

Each reader gives what :class:`~ovseg.datasets.synthworld.SynthWorldTextRetrievalDataset`
gives, so ``RetrievalMAPMetric`` and the FDP test pipeline run on them unchanged: one item per
gallery image (``img_path``, ``img_id`` = the image's path relative to its folder, ``words``,
``rendered``, ``polygons`` (N, 4, 2) float32 pixel corners, empty where the format has no
boxes) and the metainfo ``queries`` (dicts of ``query`` and ``img_ids``, the relevant images)
and ``classes`` (the query words, in that order). Queries and words are lower-case, as every
published evaluation compares them (FDP's ``test.py``, TDSL, single-shot-str).

Where each format was verified (the readers of the public evaluation code; no copy of it):

- IIIT-STR ``data.mat``: ``lluisgomez/single-shot-str`` ``eval_STR.py``, ``lanfeng4659/
  STR-TDSL`` ``maskrcnn_benchmark/data/datasets/iiit.py`` and FDP's ``test.py`` all read
  ``loadmat(...)['data']``, a 1 x Q MATLAB struct array whose first field is the query (a 1 x 1
  cell holding a string: ``data[0, i][0][0][0][0]``) and whose second is the relevant images
  (an N x 1 cell of file names under ``imgDatabase/``: ``data[0, i][1][j][0][0]``). The field
  names are in none of them (all index by position), so neither is this reader. The gallery is
  every image of ``imgDatabase/`` (10,000, of which the distractors are relevant to no query).
- SVT ``test.xml``: ``STR-TDSL`` ``svt.py``: ``<image>`` elements with ``<imageName>`` and
  ``<taggedRectangles><taggedRectangle x= y= width= height=><tag>WORD</tag>``; the queries are
  the distinct words of the test images.
- Total-Text: ``STR-TDSL`` ``total_text.py`` (the 60-query protocol of TDSL, which FDP reports
  on): one ``poly_gt_<image>.mat`` per test image with ``polygt``, a cell array of rows
  ``('x:', xs, 'y:', ys, text, orientation)``; words keep ASCII letters and digits, those of
  at least 3 characters count, and the queries are the words that occur at least 4 times.
- CTR (COCO-Text retrieval, TDSL's release): ``STR-TDSL`` ``cocotext.py``: ``queries.txt``
  (one query a line), ``gts/<image>.txt`` (the words of ``images/<image>.jpg``, one a line).

scipy (for the ``.mat`` files) is imported where it is used.
"""
import glob
import os
import os.path as osp
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS

from ovseg.apis.inputs import IMAGE_EXTENSIONS
from ovseg.utils.errors import InputError

_NOT_ALNUM = re.compile(r'[^A-Za-z0-9]')


class AnnotationFormatError(InputError, ValueError):
    """An annotation file that is not in its benchmark's format (the message names file/key)."""


def _no_boxes() -> np.ndarray:
    return np.zeros((0, 4, 2), dtype=np.float32)


def _mat_string(value) -> str:
    """The one string inside MATLAB cells / char arrays as ``loadmat`` returns them
    (e.g. ``array([[array(['coffee'])]], dtype=object)`` -> ``'coffee'``)."""
    while isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f'expected one string, found an array of shape {value.shape}')
        value = value.reshape(-1)[0]
    if not isinstance(value, str):
        raise ValueError(f'expected a string, found {type(value).__name__}')
    return str(value)


def _load_mat(path: str, key: str) -> np.ndarray:
    """``scipy.io.loadmat(path)[key]``, with the file and the key named on failure."""
    try:
        from scipy.io import loadmat
    except ImportError as err:  # pragma: no cover - scipy is a dependency of scikit-learn
        raise ImportError(f'reading {path} needs scipy (pip install scipy)') from err
    if not osp.isfile(path):
        raise FileNotFoundError(2, 'No such annotation file', path)
    try:
        mat = loadmat(path)
    except Exception as err:  # scipy raises ValueError / TypeError / MatReadError
        raise AnnotationFormatError(f'{path}: not a readable MATLAB file ({err})') from err
    if key not in mat:
        found = sorted(k for k in mat if not k.startswith('__'))
        raise AnnotationFormatError(f'{path}: no key {key!r} (keys: {found})')
    return mat[key]


def _list_images(folder: str) -> List[str]:
    """File names of the images in ``folder``, sorted."""
    if not osp.isdir(folder):
        raise FileNotFoundError(2, 'No such image folder', folder)
    return sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS))


def alnum_word(text: str) -> str:
    """``text`` with everything but ASCII letters and digits removed, lower-cased (the word
    normalisation of the Total-Text and CTR retrieval protocols)."""
    return _NOT_ALNUM.sub('', text).lower()


class _TextRetrievalBenchmark(BaseDataset):
    """A retrieval gallery plus its queries; subclasses read their format in
    :meth:`read_annotations`."""

    def read_annotations(self) -> tuple:
        """``(images, queries)``: a list of item dicts (``name`` relative to the image folder,
        ``words``, ``rendered``, ``polygons``, optional ``height`` / ``width``) and a list of
        ``(query, relevant image names)``."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        images, queries = self.read_annotations()
        merged: Dict[str, List[str]] = {}
        for query, names in queries:  # a query listed twice: one query, all its images
            merged.setdefault(query, [])
            merged[query] += [n for n in names if n not in merged[query]]
        self._metainfo['queries'] = tuple(dict(query=q, img_ids=tuple(ids))
                                          for q, ids in merged.items())
        self._metainfo['classes'] = tuple(merged)
        prefix = self.data_prefix.get('img_path', '')
        items = []
        for image in images:
            item = dict(image, img_path=osp.join(prefix, image['name']), img_id=image['name'])
            del item['name']
            items.append(item)
        return items


@DATASETS.register_module()
class IIITSTRDataset(_TextRetrievalBenchmark):
    """IIIT Scene Text Retrieval (Mishra et al., ICCV 2013): 50 query words, 10,000 images.

    Reads ``data.mat`` (query -> relevant images, see the module docstring for the verified
    structure) and lists ``imgDatabase/``. ``words`` of an image are the queries it is
    relevant to; the format has no boxes (``polygons`` empty), so it is a test set only.
    FDP pads the gallery images to squares before resizing (``imgDatabase_pad_square``); its
    config does that in the pipeline.

    Args:
        ann_file (str): Defaults to ``'data.mat'``.
        data_prefix (dict): Defaults to ``dict(img_path='imgDatabase')``.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``data_root``,
            ``pipeline``, ...).

    Raises:
        AnnotationFormatError: ``data.mat`` lacks ``data`` or a record is not (query, images).
        FileNotFoundError: a relevant image is not in the image folder (naming it).
    """

    def __init__(self, *, ann_file: str = 'data.mat',
                 data_prefix: Optional[dict] = None, **kwargs) -> None:
        super().__init__(ann_file=ann_file,
                         data_prefix=data_prefix or dict(img_path='imgDatabase'), **kwargs)

    def read_annotations(self) -> tuple:
        data = _load_mat(self.ann_file, 'data')
        queries = []
        for i, record in enumerate(np.asarray(data).reshape(-1)):
            try:
                query = _mat_string(record[0]).strip().lower()
                names = [_mat_string(name) for name in np.asarray(record[1]).reshape(-1)]
            except (IndexError, TypeError, ValueError) as err:
                raise AnnotationFormatError(
                    f'{self.ann_file}: data[0, {i}] is not (query, relevant images) as in '
                    f'IIIT-STR ({err})') from err
            queries.append((query, names))
        gallery = _list_images(self.data_prefix['img_path'])
        known = set(gallery)
        missing = sorted({n for _, names in queries for n in names} - known)
        if missing:
            raise FileNotFoundError(2, f'{self.ann_file} names {len(missing)} images that are '
                                    f'not in the image folder (first: {missing[0]})',
                                    self.data_prefix['img_path'])
        relevant: Dict[str, List[str]] = {n: [] for n in gallery}
        for query, names in queries:
            for name in names:
                relevant[name].append(query)
        images = [dict(name=n, words=relevant[n], rendered=list(relevant[n]),
                       polygons=_no_boxes()) for n in gallery]
        return images, queries


@DATASETS.register_module()
class SVTRetrievalDataset(_TextRetrievalBenchmark):
    """Street View Text (Wang et al., ICCV 2011) as a retrieval set: the words of each test
    image are its queries (TDSL's protocol); 249 images.

    Reads ``test.xml`` (``<image>``: ``<imageName>``, optional ``<Resolution x= y=>``,
    ``<taggedRectangles>``); ``polygons`` are the word rectangles, clockwise from top-left.

    Args:
        ann_file (str): Defaults to ``'test.xml'``.
        data_prefix (dict): image names are relative to it. Defaults to ``dict(img_path='')``
            (the dataset root, as ``imageName`` is ``img/14_03.jpg``).
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments.

    Raises:
        AnnotationFormatError: not XML, or an image / rectangle lacks a field (named).
    """

    def __init__(self, *, ann_file: str = 'test.xml',
                 data_prefix: Optional[dict] = None, **kwargs) -> None:
        super().__init__(ann_file=ann_file, data_prefix=data_prefix or dict(img_path=''),
                         **kwargs)

    def read_annotations(self) -> tuple:
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(2, 'No such annotation file', path)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            raise AnnotationFormatError(f'{path}: not valid XML ({err})') from err
        images, order = [], {}
        for i, node in enumerate(root.iter('image')):
            name = (node.findtext('imageName') or '').strip()
            if not name:
                raise AnnotationFormatError(f'{path}: <image> number {i} has no <imageName>')
            words, rendered, boxes = [], [], []
            for rect in node.iter('taggedRectangle'):
                try:
                    x, y, w, h = (float(rect.attrib[k]) for k in ('x', 'y', 'width', 'height'))
                    tag = rect.find('tag').text.strip()
                except (KeyError, AttributeError, ValueError) as err:
                    raise AnnotationFormatError(
                        f'{path}: a <taggedRectangle> of {name} needs x, y, width, height '
                        f'and a <tag> ({type(err).__name__}: {err})') from err
                words.append(tag.lower())
                rendered.append(tag)
                boxes.append([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
                order.setdefault(tag.lower(), [])
                if name not in order[tag.lower()]:
                    order[tag.lower()].append(name)
            image = dict(name=name, words=words, rendered=rendered,
                         polygons=np.array(boxes, np.float32).reshape(-1, 4, 2))
            resolution = node.find('Resolution')
            if resolution is not None and {'x', 'y'} <= set(resolution.attrib):
                image.update(width=int(resolution.attrib['x']),
                             height=int(resolution.attrib['y']))
            images.append(image)
        return images, list(order.items())


def _min_area_rect(points: np.ndarray) -> np.ndarray:
    """(4, 2) corners of the smallest rotated rectangle around a (K, 2) polygon."""
    import cv2
    return cv2.boxPoints(cv2.minAreaRect(points.astype(np.float32))).astype(np.float32)


@DATASETS.register_module()
class TotalTextRetrievalDataset(_TextRetrievalBenchmark):
    """Total-Text (Ch'ng and Chan, ICDAR 2017) as a retrieval set: 300 test images, 60 queries
    under TDSL's protocol (words of >= ``min_length`` letters / digits occurring at least
    ``min_count`` times).

    Reads ``<ann_path>/poly_gt_<image>.mat`` (``polygt`` rows ``('x:', xs, 'y:', ys, text,
    orientation)``); the image is ``<img_path>/<image>.*``. Curved words have more than 4
    vertices: ``polygons`` holds their minimum-area rectangles (N, 4, 2).

    Args:
        data_prefix (dict): ``img_path`` and ``ann_path``. Defaults to
            ``dict(img_path='Images/Test', ann_path='Groundtruth/Polygon/Test')``.
        min_length (int): Defaults to 3.
        min_count (int): Defaults to 4.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments.

    Raises:
        AnnotationFormatError: a ``.mat`` without ``polygt`` or with a malformed row (named).
        FileNotFoundError: no annotation files, or an annotation without its image.
    """

    def __init__(self, *, data_prefix: Optional[dict] = None, min_length: int = 3,
                 min_count: int = 4, **kwargs) -> None:
        self.min_length, self.min_count = min_length, min_count
        super().__init__(data_prefix=data_prefix or dict(
            img_path='Images/Test', ann_path='Groundtruth/Polygon/Test'), **kwargs)

    def _read_words(self, path: str) -> tuple:
        rows = _load_mat(path, 'polygt')
        words, rendered, boxes = [], [], []
        for i, row in enumerate(rows):
            try:
                points = np.stack([np.asarray(row[1], np.float32).reshape(-1),
                                   np.asarray(row[3], np.float32).reshape(-1)], axis=1)
                text = _mat_string(row[4]) if np.asarray(row[4]).size else ''
            except (IndexError, TypeError, ValueError) as err:
                raise AnnotationFormatError(
                    f'{path}: polygt row {i} is not (x:, xs, y:, ys, text, orientation) '
                    f'({err})') from err
            word = alnum_word(text)
            if len(word) < self.min_length or len(points) < 3:
                continue
            words.append(word)
            rendered.append(text)
            boxes.append(_min_area_rect(points))
        return words, rendered, np.array(boxes, np.float32).reshape(-1, 4, 2)

    def read_annotations(self) -> tuple:
        ann_dir = self.data_prefix['ann_path']
        files = sorted(glob.glob(osp.join(ann_dir, 'poly_gt_*.mat')))
        if not files:
            raise FileNotFoundError(2, 'No poly_gt_*.mat annotation files in', ann_dir)
        by_stem = {osp.splitext(n)[0]: n for n in _list_images(self.data_prefix['img_path'])}
        images, counts = [], Counter()
        for path in files:
            stem = osp.splitext(osp.basename(path))[0][len('poly_gt_'):]
            if stem not in by_stem:
                raise FileNotFoundError(2, f'{path} has no image {stem}.* in',
                                        self.data_prefix['img_path'])
            words, rendered, polygons = self._read_words(path)
            counts.update(words)
            images.append(dict(name=by_stem[stem], words=words, rendered=rendered,
                               polygons=polygons))
        queries = [w for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
                   if c >= self.min_count]
        return images, [(q, [im['name'] for im in images if q in im['words']])
                        for q in queries]


@DATASETS.register_module()
class CTRDataset(_TextRetrievalBenchmark):
    """CTR, COCO-Text retrieval (TDSL's release): 500 queries, 7,196 images.

    Reads ``queries.txt`` (one query a line) and ``<ann_path>/<image>.txt`` (the words of
    ``<img_path>/<image>.jpg``, one a line, normalised by :func:`alnum_word`). No boxes
    (``polygons`` empty): a test set.

    Args:
        ann_file (str): Defaults to ``'queries.txt'``.
        data_prefix (dict): Defaults to ``dict(img_path='images', ann_path='gts')``.
        image_suffix (str): Defaults to ``'.jpg'``.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments.

    Raises:
        AnnotationFormatError: an empty ``queries.txt``.
        FileNotFoundError: no ``.txt`` files in the word folder.
    """

    def __init__(self, *, ann_file: str = 'queries.txt', data_prefix: Optional[dict] = None,
                 image_suffix: str = '.jpg', **kwargs) -> None:
        self.image_suffix = image_suffix
        super().__init__(ann_file=ann_file, data_prefix=data_prefix or dict(
            img_path='images', ann_path='gts'), **kwargs)

    @staticmethod
    def _lines(path: str) -> List[str]:
        with open(path, encoding='utf-8') as f:
            return [line.strip() for line in f if line.strip()]

    def read_annotations(self) -> tuple:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(2, 'No such query list', self.ann_file)
        queries = [q.lower() for q in self._lines(self.ann_file)]
        if not queries:
            raise AnnotationFormatError(f'{self.ann_file}: no queries (one word a line)')
        ann_dir = self.data_prefix['ann_path']
        files = sorted(glob.glob(osp.join(ann_dir, '*.txt')))
        if not files:
            raise FileNotFoundError(2, 'No word files (<image>.txt) in', ann_dir)
        images = []
        for path in files:
            rendered = self._lines(path)
            words = [alnum_word(w) for w in rendered]
            name = osp.splitext(osp.basename(path))[0] + self.image_suffix
            images.append(dict(name=name, words=words, rendered=rendered,
                               polygons=_no_boxes()))
        return images, [(q, [im['name'] for im in images if q in im['words']])
                        for q in queries]


__all__: Sequence[str] = ('AnnotationFormatError', 'CTRDataset', 'IIITSTRDataset',
                          'SVTRetrievalDataset', 'TotalTextRetrievalDataset', 'alnum_word')
