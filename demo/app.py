"""A web app for open-vocabulary segmentation: upload an image, type class names, pick a model.

    python demo/app.py [--port 7860] [--host 127.0.0.1] [--config CONFIG [--weights CKPT]]
        [--index INDEX]

Serves the zoo models (:func:`ovseg.apis.list_models`) whose weights are on this machine (after
``make quickstart``: ``synthworld-quickstart-denseclip-rn-s``), plus ``--config`` / ``--weights``
when given. The page shows the overlay with its legend, the per-class scores, the classes found
with their share of the image and, for two-stage models, the mask proposals. Its "Text
retrieval" tab (``demo/app_retrieval.py``) searches a gallery index of
``tools/build_gallery.py`` (``--index`` is the default one) for a word or phrase.

Everything the page does goes through :func:`segment`, which never raises: bad input (an
unreadable or non-image upload, an empty or duplicated vocabulary, an unknown model) comes back
as a message in the page, and the server keeps serving. Gradio is imported only by
:func:`build_app`, so :func:`segment` runs (and is tested) without it.
"""
import argparse
import logging
import os.path as osp
import sys
import threading
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ovseg.apis.cli import EXPECTED_ERRORS, run_cli
from ovseg.apis.retrieval import META_FILE
from ovseg.utils.errors import InputError

# the text retrieval tab, beside this script (its folder is on sys.path when it runs)
from app_retrieval import RetrieverCache, build_tab as build_retrieval_tab

logger = logging.getLogger('ovseg.demo.app')

#: Larger uploads are downscaled (keeping the aspect ratio) to this longest side, with a notice:
#: the models run at 128-640 px anyway, and the overlay stays light for the browser.
MAX_SIDE = 1024
#: Smaller images are refused: no segmentor here resolves anything below this side.
MIN_SIDE = 8
#: Vocabularies above this size are refused: the legend and the score list stay readable and
#: one request cannot hold the server for minutes of text encoding.
MAX_CLASSES = 300
#: Inferencers kept in memory (least recently used dropped first).
CACHE_SIZE = 2

# Decoding with Pillow (~90 Mpx by default) and OpenCV (2^30 px) already refuses decompression
# bombs; this bound keeps one decoded upload under ~1 GiB.
_MAX_PIXELS = 10_000 * 10_000


class AppOutput(NamedTuple):
    """What one request shows; a tuple in the order of the page's output components.

    Args:
        overlay (np.ndarray, optional): (H, W, 3) uint8 RGB, the image with the predicted classes
            and their legend; None on an error.
        scores (dict): class name -> score in [0, 1] (mean per-pixel probability).
        proposals (np.ndarray, optional): (h, w, 3) uint8 grid of mask proposals (two-stage
            models), else None.
        message (str): Markdown: the classes found, notices (e.g. downscaling) or the error.
    """
    overlay: Optional[np.ndarray]
    scores: Dict[str, float]
    proposals: Optional[np.ndarray]
    message: str


def read_upload(path: Optional[str]) -> Tuple[np.ndarray, List[str]]:
    """An uploaded file as an (H, W, 3) uint8 RGB array, and notices about what was changed.

    Gray, RGBA and 16-bit images are converted (:func:`~ovseg.apis.inputs.as_rgb_uint8`); a
    longest side above :data:`MAX_SIDE` is downscaled to it.

    Raises:
        InputError: no file, an empty / corrupt / non-image file (naming it), or an image with a
            side below :data:`MIN_SIDE` or above :data:`_MAX_PIXELS` pixels.
    """
    import cv2

    from ovseg.apis.inputs import as_rgb_uint8
    from ovseg.compat.image import ImageReadError
    if not path:
        raise InputError('no image: upload an image file first')
    name = osp.basename(path)
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise ImageReadError(f'cannot read {name}: the file is empty (0 bytes)')
    try:
        array = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # gray, BGR(A), 8 or 16 bit
    except cv2.error:  # e.g. a header announcing more pixels than OpenCV allows
        array = None
    if array is None:
        raise ImageReadError(f'cannot read {name}: it is not a decodable image (truncated, '
                             'corrupt or another kind of file)')
    if array.ndim == 3 and array.shape[2] in (3, 4):
        array = array[..., [2, 1, 0, 3][:array.shape[2]]]  # BGR(A) -> RGB(A)
    height, width = array.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise InputError(f'{name} is {width}x{height} pixels; the demo needs at least '
                         f'{MIN_SIDE} pixels a side')
    if height * width > _MAX_PIXELS:
        raise InputError(f'{name} is {width}x{height} pixels; the demo reads at most '
                         f'{_MAX_PIXELS // 1_000_000} megapixels')
    notices = []
    kind = {np.dtype(np.uint16): '16-bit '}.get(array.dtype, '')
    if array.ndim == 2 or array.shape[2] == 1:
        notices.append(f'{kind}grayscale image converted to RGB')
    elif array.shape[2] == 4:
        notices.append(f'{kind}RGBA image: the alpha channel is ignored')
    elif kind:
        notices.append('16-bit image converted to 8 bits')
    if max(height, width) > MAX_SIDE:  # before the conversion: fewer channels to copy
        scale = MAX_SIDE / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        array = cv2.resize(array, size, interpolation=cv2.INTER_AREA)
        notices.append(f'downscaled from {width}x{height} to {size[0]}x{size[1]} pixels '
                       f'(longest side at most {MAX_SIDE})')
    return as_rgb_uint8(array, what=name), notices


def parse_vocabulary(text: Optional[str]) -> List[str]:
    """Class names typed in the page: one per comma, or one per line (then a line may hold
    comma-separated synonyms, ``dog, puppy``), as ``--vocabulary`` of the command-line demo.

    Raises:
        VocabularyError: empty, only separators, a duplicate, or more than
            :data:`MAX_CLASSES` names.
    """
    from ovseg.models.clip.vocabulary import VocabularyError, load_vocabulary
    if not text or not text.replace(',', '').strip():
        raise VocabularyError('the vocabulary is empty: type class names separated by commas '
                              '(or one class per line)')
    names = load_vocabulary(text)  # checks empty entries and duplicates, naming them
    if len(names) > MAX_CLASSES:
        raise VocabularyError(f'{len(names)} class names; the demo takes at most {MAX_CLASSES}')
    return names


class ModelCache:
    """Inferencers by model name, built on first use (thread-safe; least recently used out).

    Args:
        models (dict): name -> (config or zoo name, weights or None) that the page offers.
        device (str): Defaults to ``'cpu'``.
        size (int): inferencers kept. Defaults to :data:`CACHE_SIZE`.
    """

    def __init__(self, models: Dict[str, Tuple[str, Optional[str]]], *, device: str = 'cpu',
                 size: int = CACHE_SIZE) -> None:
        self.models = dict(models)
        self.device = device
        self.size = size
        self.lock = threading.Lock()  # one request at a time: a model holds one vocabulary
        self._built: 'OrderedDict[str, object]' = OrderedDict()

    def get(self, name: str):
        """The inferencer of ``name`` (call under :attr:`lock`).

        Raises:
            InputError: ``name`` is not offered (listing those that are).
        """
        from ovseg.apis import OVSegInferencer
        if name not in self.models:
            raise InputError(f'unknown model {name!r}; this app serves {sorted(self.models)}')
        if name not in self._built:
            model, weights = self.models[name]
            self._built[name] = OVSegInferencer(model, weights, device=self.device,
                                                show_progress=False)
            if len(self._built) > self.size:
                self._built.popitem(last=False)
        self._built.move_to_end(name)
        return self._built[name]


def available_models(extra: Optional[Tuple[str, Optional[str]]] = None
                     ) -> Dict[str, Tuple[str, Optional[str]]]:
    """name -> (zoo name or config, weights) for the semantic zoo models whose weights exist
    here (or that need none), plus ``extra`` = (config, weights) named by its file stem."""
    from ovseg.apis import list_models
    from ovseg.apis.zoo import resolve_model
    models: Dict[str, Tuple[str, Optional[str]]] = {}
    for info in list_models():
        if info.task != 'semantic' or info.weights is None:
            continue  # weights=None entries need downloads named by their configs
        try:
            resolve_model(info.name)
        except EXPECTED_ERRORS:
            continue
        models[info.name] = (info.name, None)
    if extra is not None:
        models[osp.splitext(osp.basename(extra[0]))[0]] = extra
    return models


def _found_classes(pred: dict) -> str:
    """Markdown list of the classes present, by their share of the image, largest first."""
    labels = pred['sem_seg']
    counts = np.bincount(labels[labels >= 0].ravel(), minlength=len(pred['classes']))
    order = [k for k in np.argsort(-counts, kind='stable') if counts[k] > 0]
    parts = [f'{pred["classes"][k]} ({100 * counts[k] / labels.size:.0f} %)' for k in order]
    return 'Classes found: ' + (', '.join(parts) if parts else 'none')


def segment(image_path: Optional[str], vocabulary: Optional[str], model_name: Optional[str],
            cache: ModelCache) -> AppOutput:
    """Segment one uploaded image with the typed vocabulary: what the page shows.

    Never raises: expected errors (bad upload, vocabulary, model) come back as the message;
    any other error is logged with its traceback and reported in one line.
    """
    try:
        names = parse_vocabulary(vocabulary)
        image, notices = read_upload(image_path)
        with cache.lock:
            inferencer = cache.get(model_name or '')
            two_stage = hasattr(inferencer.model, 'classify')
            result = inferencer(image, vocabulary=names, return_vis=True, show_progress=False,
                                proposals=two_stage)
        pred, views = result['predictions'][0], result['views'][0]
        message = '\n\n'.join([_found_classes(pred)] + [f'Note: {n}.' for n in notices])
        return AppOutput(views['overlay'], pred['class_scores'], views.get('proposals'),
                         message)
    except EXPECTED_ERRORS as err:
        return AppOutput(None, {}, None, f'**Error:** {err}')
    except Exception as err:  # a bug: keep serving, report it, log the traceback
        logger.exception('segment failed')
        return AppOutput(None, {}, None, f'**Internal error** ({type(err).__name__}: {err}); '
                                         'the details are in the server log.')


def build_app(cache: ModelCache, retrieval: Optional[RetrieverCache] = None):
    """The Gradio page (``gradio.Blocks``): a segmentation tab around :func:`segment` and a
    text retrieval tab (``demo/app_retrieval.py``)."""
    import gradio as gr
    names = sorted(cache.models)
    with gr.Blocks(title='ovseg: open-vocabulary segmentation') as app:
        gr.Markdown('# ovseg: open-vocabulary perception')
        with gr.Tab('Segmentation', id='segmentation-tab'):
            _segmentation_tab(gr, cache, names)
        build_retrieval_tab(retrieval or RetrieverCache())
    return app


def _segmentation_tab(gr, cache: ModelCache, names: List[str]) -> None:
    """Upload, class names and model in; overlay, scores and proposals out."""
    gr.Markdown('Upload an image, type the class names (comma-separated, or one class per '
                'line with synonyms), pick a model.')
    with gr.Row():
        with gr.Column():
            image = gr.File(label='Image', type='filepath', elem_id='image')
            vocabulary = gr.Textbox(label='Class names', lines=3, elem_id='vocabulary',
                                    placeholder='circle, square, sky, grass')
            model = gr.Dropdown(names, value=names[0] if names else None, label='Model',
                                elem_id='model')
            run = gr.Button('Segment', variant='primary', elem_id='segment')
        with gr.Column():
            message = gr.Markdown(elem_id='message')
            overlay = gr.Image(label='Overlay and legend', type='numpy', format='png',
                               elem_id='overlay', interactive=False, height=360)
            scores = gr.Label(label='Per-class scores', num_top_classes=10, elem_id='scores')
            proposals = gr.Image(label='Mask proposals (two-stage models)', type='numpy',
                                 format='png', elem_id='proposals', interactive=False,
                                 visible=False)

    def on_click(path, text, name):
        out = segment(path, text, name, cache)
        shown = gr.Image(value=out.proposals, visible=out.proposals is not None)
        return out.overlay, out.scores, shown, out.message

    run.click(on_click, [image, vocabulary, model], [overlay, scores, proposals, message],
              api_name='segment')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--host', default='127.0.0.1', help='0.0.0.0 to serve other machines')
    parser.add_argument('--config', help='also serve this config (beside the zoo models)')
    parser.add_argument('--weights', help='checkpoint of --config')
    parser.add_argument('--index', help='default gallery index of the text retrieval tab '
                        '(a folder built by tools/build_gallery.py)')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    if args.weights and not args.config:
        parser.error('--weights needs --config')
    if args.config and not osp.isfile(args.config):
        raise InputError(f'--config {args.config} does not exist')
    if args.index and not osp.isfile(osp.join(args.index, META_FILE)):
        raise InputError(f'--index {args.index} is not a gallery index (no meta.json): build '
                         'one with tools/build_gallery.py')
    models = available_models((args.config, args.weights) if args.config else None)
    if not models and not args.index:
        raise InputError('no model to serve: run `make quickstart` (it trains '
                         'synthworld-quickstart-denseclip-rn-s), pass --config CONFIG '
                         '--weights CKPT, or --index INDEX for text retrieval')
    try:
        import gradio  # noqa: F401
    except ImportError:
        sys.exit('error: the web demo needs gradio: pip install -r requirements-app.txt')
    print(f'[app] serving {sorted(models)} and the index {args.index} on '
          f'http://{args.host}:{args.port}', file=sys.stderr)
    retrieval = RetrieverCache(default_index=args.index, device=args.device)
    build_app(ModelCache(models, device=args.device), retrieval).launch(
        server_name=args.host, server_port=args.port, show_error=True)


if __name__ == '__main__':
    run_cli(main)
