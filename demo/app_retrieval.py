"""The scene-text retrieval tab of ``demo/app.py``: type a word or phrase, see the gallery
images that contain it, best first, with FDP's cosine scores.

The index is a folder built by ``tools/build_gallery.py`` (typed in the page, or the app's
``--index``); each index is queried with the model it was built with (its ``config.py`` and
weights, :class:`ovseg.apis.retrieval.TextRetriever`). :func:`retrieve` never raises: an empty,
punctuation-only or non-Latin query, a folder that is no index, or an index whose model's
fingerprint is not the one its weights now give come back as a message in the page.
"""
import logging
import os.path as osp
import threading
from collections import OrderedDict
from typing import List, NamedTuple, Optional, Tuple

import numpy as np

from ovseg.apis.cli import EXPECTED_ERRORS, error_line
from ovseg.utils.errors import InputError

logger = logging.getLogger('ovseg.demo.app')

#: The most images one query shows (the slider's end).
MAX_TOP_K = 20
#: Thumbnails are downscaled to this longest side: the page stays light for any gallery.
THUMB_SIDE = 320
#: Retrievers (index + model) kept in memory, least recently used dropped first.
CACHE_SIZE = 2


class RetrievalOutput(NamedTuple):
    """What one query shows.

    Args:
        images (list): ``(thumbnail, caption)`` pairs, best first: (h, w, 3) uint8 RGB arrays
            and ``'<rank>. <file name> (<score>)'``; empty on an error.
        message (str): Markdown: what was searched, notices, or the error.
    """
    images: List[Tuple[np.ndarray, str]]
    message: str


class RetrieverCache:
    """:class:`~ovseg.apis.retrieval.TextRetriever` by index folder, built on first use
    (thread-safe; least recently used out).

    Args:
        default_index (str, optional): the index used when the page gives none.
        device (str): Defaults to ``'cpu'``.
        size (int): retrievers kept. Defaults to :data:`CACHE_SIZE`.
    """

    def __init__(self, *, default_index: Optional[str] = None, device: str = 'cpu',
                 size: int = CACHE_SIZE) -> None:
        self.default_index = default_index
        self.device = device
        self.size = size
        self.lock = threading.Lock()
        self._built: 'OrderedDict[tuple, object]' = OrderedDict()

    def get(self, index: Optional[str]):
        """The retriever of ``index`` (or of the default index; call under :attr:`lock`).

        Raises:
            InputError: no index given and no default.
            FileNotFoundError: the folder does not exist or holds no ``meta.json``.
            IndexMismatchError: the index's model now has another fingerprint.
        """
        from ovseg.apis.retrieval import META_FILE, TextRetriever
        folder = (index or '').strip() or self.default_index
        if not folder:
            raise InputError('no gallery index: type the folder of an index built by '
                             'tools/build_gallery.py (or start the app with --index)')
        folder = osp.abspath(osp.expanduser(folder))
        if not osp.isdir(folder):
            raise FileNotFoundError(2, 'No such gallery index folder', folder)
        meta = osp.join(folder, META_FILE)
        key = (folder, osp.getmtime(meta) if osp.isfile(meta) else None)  # a rebuilt index
        if key not in self._built:
            self._built[key] = TextRetriever(folder, device=self.device)
            if len(self._built) > self.size:
                self._built.popitem(last=False)
        self._built.move_to_end(key)
        return self._built[key]


def _thumbnail(path: str) -> Optional[np.ndarray]:
    """(h, w, 3) uint8 RGB of the image at ``path``, longest side at most :data:`THUMB_SIDE`;
    None if it cannot be read (moved or deleted since the index was built)."""
    import cv2
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        return None
    scale = THUMB_SIDE / max(image.shape[:2])
    if scale < 1:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image[..., ::-1])


def retrieve(index: Optional[str], query: Optional[str], top_k: float,
             cache: RetrieverCache) -> RetrievalOutput:
    """The ``top_k`` images of the index for ``query``: what the page shows. Never raises:
    expected errors come back as the message; others are logged and reported in one line."""
    from ovseg.apis.retrieval import check_query
    try:
        text = check_query(query or '')  # before any model loads: a bad query fails at once
        top_k = int(top_k or 0)
        if not 1 <= top_k <= MAX_TOP_K:
            raise InputError(f'top-k must be between 1 and {MAX_TOP_K}, got {top_k}')
        with cache.lock:
            retriever = cache.get(index)
            ranked = retriever(text, top_k)
        images, missing = [], []
        for rank, (path, score) in enumerate(ranked, 1):
            thumb = _thumbnail(path)
            if thumb is None:
                missing.append(path)
                continue
            images.append((thumb, f'{rank}. {osp.basename(path)} ({score:.3f})'))
        message = (f'**{text}**: the {len(ranked)} best of {len(retriever.index)} images '
                   '(cosine score in brackets)')
        if missing:
            message += (f'\n\nNote: {len(missing)} of them could not be read any more '
                        f'(first: {missing[0]}); rebuild the index.')
        return RetrievalOutput(images, message)
    except EXPECTED_ERRORS as err:
        return RetrievalOutput([], f'**Error:** {error_line(err)}')
    except Exception as err:  # a bug: keep serving, report it, log the traceback
        logger.exception('retrieve failed')
        return RetrievalOutput([], f'**Internal error** ({type(err).__name__}: {err}); '
                                   'the details are in the server log.')


def build_tab(cache: RetrieverCache) -> None:
    """The "Text retrieval" tab (inside the app's ``gradio.Blocks``)."""
    import gradio as gr
    with gr.Tab('Text retrieval', id='retrieval-tab'):
        gr.Markdown('Find the gallery images that show a word, without OCR (FDP). Build an '
                    'index once with `tools/build_gallery.py CONFIG [WEIGHTS] IMAGES --out '
                    'INDEX`, then query it here.')
        with gr.Row():
            with gr.Column(scale=1):
                index = gr.Textbox(label='Gallery index folder', elem_id='index',
                                   value=cache.default_index or '',
                                   placeholder='work_dirs/gallery')
                query = gr.Textbox(label='Word or phrase', elem_id='query',
                                   placeholder='hotel')
                top_k = gr.Slider(1, MAX_TOP_K, value=5, step=1, label='Images to show',
                                  elem_id='top_k')
                run = gr.Button('Search', variant='primary', elem_id='search')
            with gr.Column(scale=2):
                message = gr.Markdown(elem_id='retrieval_message')
                gallery = gr.Gallery(label='Best matches', elem_id='results', columns=4,
                                     height=480, object_fit='contain', format='png')

        def on_search(folder, text, k):
            out = retrieve(folder, text, k, cache)
            return out.images, out.message

        run.click(on_search, [index, query, top_k], [gallery, message], api_name='retrieve')
        query.submit(on_search, [index, query, top_k], [gallery, message])
