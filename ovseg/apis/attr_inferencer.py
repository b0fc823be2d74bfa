"""``OVAttrInferencer``: categories and attributes of boxed objects (CLIP-Attr) as plain data.

The same inputs, vocabulary handling, bad-image reporting and ``out_dir`` layout as
:class:`~ovseg.apis.OVSegInferencer`, for attribute models (:class:`~ovseg.models.attributes.
CLIPAttr`, its zero-shot baseline): per box the category with its score and the top-k
attributes, each with its parent type and score. Boxes are given per image (``boxes=``, or a
JSON file); without them the whole image is one box (no detector is run: a class-agnostic
detector's boxes can be passed in as that JSON). Example::

    inferencer = OVAttrInferencer('synthworld-clip-attr-rn-s')
    result = inferencer('scene.png', boxes=[[[10, 20, 60, 70]]], top_k=3)
    result['predictions'][0]['objects'][0]
    # {'box': [10.0, 20.0, 60.0, 70.0], 'box_index': 0, 'category': 'star', ...}
"""
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch

from ovseg.models.attributes import clip_boxes, load_attribute_list
from ovseg.models.clip.vocabulary import Vocabulary
from ovseg.utils.errors import InputError

from .detection_results import read_detection_results
from .inferencer import OVSegInferencer
from .inputs import InputItem, InputsType, expand_inputs

BoxesType = Union[None, str, Sequence, Dict[str, Sequence]]

#: Overlays of small images are drawn at least this many pixels on the longer side, so that
#: the label texts (mmdet's adaptive font size) stay readable.
MIN_OVERLAY_SIZE = 512


class BoxFileError(InputError, ValueError):
    """A boxes argument or JSON file that does not give (N, 4) boxes per image; names it."""


def read_boxes(boxes: BoxesType, *, score_thr: float = 0.0) -> Union[None, list, dict]:
    """Boxes per image from a list (input order), a dict (image file name, path or stem ->
    boxes), a JSON file holding either, or a detector's dumped results (``.pkl``: mmdet's
    ``tools/test.py --out``, see :func:`~ovseg.apis.detection_results.read_detection_results`,
    boxes scored below ``score_thr`` dropped); each image's boxes a list of [x1, y1, x2, y2].

    Raises:
        FileNotFoundError: a file that does not exist.
        BoxFileError: anything else than that structure (the file or image is named).
        DetectionResultsError: a ``.pkl`` that is not dumped boxes or names code to run.
    """
    where = 'boxes'
    if isinstance(boxes, str) and boxes.endswith('.pkl'):
        boxes = read_detection_results(boxes, score_thr=score_thr)
        where = 'detection results'
    elif isinstance(boxes, str):
        if not osp.isfile(boxes):
            raise FileNotFoundError(f'boxes file {boxes} does not exist')
        with open(boxes, encoding='utf-8') as file:
            try:
                boxes = json.load(file)
            except json.JSONDecodeError as err:
                raise BoxFileError(f'boxes file {file.name} is not valid JSON: {err}') from None
        where = f'boxes file {file.name}'
    if boxes is None:
        return None
    if isinstance(boxes, dict):
        return {str(k): _as_boxes(v, f'{where}, image {k!r}') for k, v in boxes.items()}
    if isinstance(boxes, (list, tuple)):
        return [_as_boxes(v, f'{where}, image {i}') for i, v in enumerate(boxes)]
    raise BoxFileError(f'{where} must be a list (per image, in input order) or a dict (image '
                       f'name -> boxes), not {type(boxes).__name__}')


def _as_boxes(value: Any, where: str) -> torch.Tensor:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or (array.size and (array.ndim != 2 or array.shape[1] != 4)):
        raise BoxFileError(f'{where}: expected a list of [x1, y1, x2, y2], got {value!r}')
    return torch.from_numpy(array.reshape(-1, 4)).float()


class OVAttrInferencer(OVSegInferencer):
    """Category and top-k attributes (with parent types) of each box of each image.

    ``__call__(inputs, vocabulary, attributes, boxes)``: ``_use_vocabulary()`` (categories)
    and ``_use_attributes()`` -> per image ``preprocess()`` (its ``LoadImageFromFile``; a bad
    image is reported and skipped) -> ``forward()`` (:func:`clip_boxes`: boxes clipped to
    the image, those with nothing left skipped with a warning; then the model's
    ``predict_boxes``, crops as at test) -> ``visualize()`` (mmdet's ``DetLocalVisualizer``:
    each box with ``'<attributes> <category>: <score>'``) -> ``postprocess()`` (plain
    dicts, ``preds/<stem>.json`` and ``vis/<stem>.png``).

    Args: see :class:`~ovseg.apis.OVSegInferencer` (``model``: a zoo name of task
        ``'attribute'`` or an attribute model's config).
    """

    def __init__(self, model: str, weights: Optional[str] = None, *, device: str = 'cpu',
                 show_progress: bool = True, cfg_options: Optional[dict] = None) -> None:
        self._attributes: Optional[Vocabulary] = None
        super().__init__(model, weights, device=device, show_progress=show_progress,
                         cfg_options=cfg_options)
        if not hasattr(self.model, 'predict_boxes'):
            raise InputError(f'{type(self.model).__name__} is no attribute model (it has no '
                             'predict_boxes); use OVSegInferencer or OVDetInferencer')

    # ------------------------------------------------------------------ construction
    def _init_model(self, cfg, weights: Optional[str], device: str = 'cpu') -> torch.nn.Module:
        """Built from ``cfg.model`` in the root registry (mmseg's ``init_model`` would drop
        ``pretrained``, which the zero-shot model's weights are), weights loaded strictly."""
        from mmengine.registry import MODELS, init_default_scope

        from .model import load_weights_or_init
        if self._cfg_options:
            cfg.merge_from_dict(self._cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        model = MODELS.build(cfg.model)
        model.cfg = cfg
        return load_weights_or_init(model, weights, device=device)

    def _init_pipeline(self, cfg) -> Tuple[Any, Any]:
        """(the config's ``LoadImageFromFile``, packing of the whole BGR image): boxes are
        cropped by the model, not by the test pipeline (which crops one annotated box)."""
        from mmseg.registry import TRANSFORMS
        steps = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
        if not steps or steps[0]['type'] != 'LoadImageFromFile':
            raise InputError('the test pipeline must start with LoadImageFromFile')
        return TRANSFORMS.build(dict(steps[0])), _pack_image

    def _init_visualizer(self, cfg):
        from mmdet.visualization import DetLocalVisualizer
        return DetLocalVisualizer(name=f'ovseg-attr-inferencer-{id(self)}')

    # ------------------------------------------------------------------ attributes
    @property
    def attributes(self) -> Optional[Vocabulary]:
        """The attribute vocabulary of the last call (None before the first)."""
        return self._attributes

    def _use_attributes(self, attributes) -> Vocabulary:
        """Set the model's attributes: a list / file of :func:`load_attribute_list` (parent
        types limited to those of the model's metainfo, when it has them), or None for the
        model's own (``attributes`` / ``attribute_types`` of its metainfo)."""
        meta = getattr(self.model, 'dataset_meta', None) or {}
        if attributes is None:
            if not meta.get('attributes') or not meta.get('attribute_types'):
                raise InputError('no attributes: pass attributes=[...] (or --attributes FILE), '
                                 'or weights whose checkpoint stores meta.dataset_meta.attributes')
            vocab = Vocabulary(list(meta['attributes']), parents=list(meta['attribute_types']))
        else:
            vocab = load_attribute_list(attributes, parent_types=meta.get('attribute_types'))
        if vocab != self._attributes:
            self.model.set_attribute_vocabulary(vocab)
            self._attributes = vocab
        return vocab

    # ------------------------------------------------------------------ steps
    @torch.no_grad()
    def forward(self, inputs: dict, *, boxes: Sequence[Optional[torch.Tensor]] = (),
                names: Sequence[str] = (), top_k: int = 5) -> List[dict]:
        """Per image ``objects``: one dict per kept box, in the given order: ``box`` (clipped,
        original pixels), ``box_index`` (into the given boxes), ``category``,
        ``category_score``, ``attributes`` (the ``top_k`` best: ``name``, ``parent``,
        ``score``); and ``category_scores`` (M, K) / ``attribute_scores`` (M, A) arrays.

        Scores are the model's sigmoid probabilities. ``boxes[i]`` None: the whole image."""
        categories = list(self._vocabulary.display_names)
        attributes = self._attributes
        preds = []
        for i, image in enumerate(inputs['inputs']):  # (3, H, W) uint8, BGR
            height, width = image.shape[1:]
            given = boxes[i] if i < len(boxes) else None
            if given is None:
                given = torch.tensor([[0.0, 0.0, width, height]])
            kept, index = clip_boxes(given, height, width,
                                     image=names[i] if i < len(names) else f'image {i}')
            if len(kept):
                device = next(self.model.parameters()).device
                attr, cat = self.model.predict_boxes(image.to(device), kept)  # (M, A), (M, K)
                attr, cat = attr.float().cpu().numpy(), cat.float().cpu().numpy()
            else:
                attr = np.zeros((0, len(attributes)), np.float32)
                cat = np.zeros((0, len(categories)), np.float32)
            objects = []
            for m in range(len(kept)):
                best = int(cat[m].argmax())
                order = np.argsort(-attr[m], kind='stable')[:top_k]
                objects.append(dict(
                    box=[round(v, 2) for v in kept[m].tolist()], box_index=int(index[m]),
                    category=categories[best], category_score=float(cat[m, best]),
                    attributes=[dict(name=attributes.display_names[a],
                                     parent=attributes.parents[a], score=float(attr[m, a]))
                                for a in order]))
            preds.append(dict(objects=objects, classes=categories,
                              attribute_names=list(attributes.display_names),
                              attribute_types=list(attributes.parents),
                              category_scores=cat, attribute_scores=attr,
                              height=int(height), width=int(width)))
        return preds

    def visualize(self, inputs: List[InputItem], preds: List[dict], *, return_vis: bool = False,
                  top_k: int = 3, **kwargs) -> Optional[List[dict]]:
        """Per image the overlay of mmdet's ``DetLocalVisualizer``: each box labelled
        ``'<top_k attributes> <category>: <category score %>'``, the image enlarged to at
        least :data:`MIN_OVERLAY_SIZE` pixels; None when not asked."""
        if not return_vis:
            return None
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        out = []
        for item, pred in zip(inputs, preds):
            h, w = item.array.shape[:2]
            scale = max(1, int(np.ceil(MIN_OVERLAY_SIZE / max(h, w))))
            image = cv2.resize(item.array, (w * scale, h * scale),
                               interpolation=cv2.INTER_NEAREST)
            objects = pred['objects']
            classes = pred['classes']
            self.visualizer.dataset_meta = dict(classes=classes, palette=self._colors())
            inst = InstanceData(
                bboxes=torch.tensor([o['box'] for o in objects], dtype=torch.float32
                                    ).reshape(-1, 4) * scale,
                labels=torch.tensor([classes.index(o['category']) for o in objects],
                                    dtype=torch.long),
                scores=torch.tensor([o['category_score'] for o in objects]))
            inst.label_names = [' '.join([a['name'] for a in o['attributes'][:top_k]]
                                         + [o['category']]) for o in objects]
            self.visualizer.add_datasample('attributes', image,
                                           DetDataSample(pred_instances=inst), draw_gt=False,
                                           pred_score_thr=0.0)
            out.append(dict(overlay=self.visualizer.get_image()))
        return out

    def postprocess(self, preds: List[dict], visualization: Optional[List[dict]],
                    return_datasample: bool = False, *, inputs: Sequence[InputItem] = (),
                    out_dir: str = '') -> dict:
        """Plain dicts (``image_path``, ``input_index`` added); with ``out_dir``,
        ``preds/<stem>.json`` (``image_path``, ``height``, ``width``, ``classes``,
        ``attributes`` with ``attribute_types``, ``objects``) and ``vis/<stem>.png``."""
        for i, (item, pred) in enumerate(zip(inputs, preds)):
            pred['image_path'] = item.path
            pred['input_index'] = item.index
            if not out_dir:
                continue
            os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)
            with open(osp.join(out_dir, 'preds', f'{item.stem}.json'), 'w',
                      encoding='utf-8') as file:
                json.dump(dict(image_path=item.path, height=pred['height'],
                               width=pred['width'], classes=pred['classes'],
                               attributes=pred['attribute_names'],
                               attribute_types=pred['attribute_types'],
                               objects=pred['objects']), file, indent=1, ensure_ascii=False)
            if visualization is not None:
                os.makedirs(osp.join(out_dir, 'vis'), exist_ok=True)
                cv2.imwrite(osp.join(out_dir, 'vis', f'{item.stem}.png'),
                            visualization[i]['overlay'][..., ::-1])
        return dict(predictions=preds, visualization=visualization or [])

    # ------------------------------------------------------------------ call
    def __call__(self, inputs: InputsType, vocabulary: Union[None, str, Sequence[str]] = None,
                 attributes: Union[None, str, Sequence[str], Vocabulary] = None,
                 boxes: BoxesType = None, batch_size: int = 1, out_dir: str = '',
                 return_vis: bool = False, show_progress: Optional[bool] = None, *,
                 top_k: int = 5, box_score_thr: float = 0.3) -> Dict[str, list]:
        """Name the category and attributes of each box of ``inputs``.

        Args:
            inputs: an image path, an (H, W, 3) uint8 RGB array, a folder, a video file, or
                a list of those (as :class:`~ovseg.apis.OVSegInferencer`).
            vocabulary: categories: None (the model's own), a list of names (synonyms
                comma-separated), a ``"a,b,c"`` string or a text / ``.json`` file.
            attributes: None (the model's own), or an attribute list of
                :func:`~ovseg.models.attributes.load_attribute_list` (``'parent: name'``
                lines, a ``.json`` file, a list or a :class:`Vocabulary` with parents);
                parent types must be the model's (its metainfo's ``attribute_types``).
            boxes: None (each image is one box), a list per image in input order, a dict
                (image file name, path or stem -> its boxes) or a JSON file of either; each
                image's boxes a list of [x1, y1, x2, y2] pixels, or a detector's dumped
                results (``.pkl`` of mmdet's ``tools/test.py --out``: class-agnostic proposals
                handed over as mmdet does). A box crossing the border is
                clipped; one with nothing inside the image is skipped with a warning. An
                image the dict does not name is skipped and listed in ``errors``.
            batch_size (int): images read per step. Defaults to 1.
            out_dir (str): write ``preds/<stem>.json`` and ``vis/<stem>.png`` there.
            return_vis (bool): return the overlays. Defaults to False.
            show_progress (bool, optional): progress bar; None: the constructor's choice.
            top_k (int): attributes per box (in ``objects``; the overlay names up to 3).
                Defaults to 5.
            box_score_thr (float): with dumped results, the boxes scored below it are
                dropped. Defaults to 0.3 (mmdet's visualisation threshold).

        Returns:
            dict: ``predictions`` (per image read: ``objects`` (see :meth:`forward`),
            ``classes``, ``attribute_names``, ``attribute_types``, ``category_scores``,
            ``attribute_scores``, ``height``, ``width``, ``image_path``, ``input_index``),
            ``visualization`` (with ``return_vis``: RGB overlays) and ``errors``
            (the images skipped: ``index``, ``image_path``, ``error``).

        Raises:
            VocabularyError: a bad vocabulary or attribute list (file and line named).
            BoxFileError: malformed boxes. ImageReadError: when no image could be read.
        """
        if top_k < 1:
            raise InputError(f'top_k must be at least 1, not {top_k}')
        self._use_vocabulary(vocabulary)
        self._use_attributes(attributes)
        given = read_boxes(boxes, score_thr=box_score_thr)
        items = self._tracked(*expand_inputs(inputs), show_progress, 'Recognising attributes')
        errors: list = []
        predictions, views = [], []
        draw = return_vis or bool(out_dir)
        for batch_items, batch in self.preprocess(items, batch_size, errors=errors):
            for item, image in zip(batch_items, batch['inputs']):
                try:
                    item_boxes = _boxes_of(given, item)
                except InputError as err:
                    errors.append(dict(index=item.index, image_path=item.path, error=str(err)))
                    continue
                preds = self.forward(dict(inputs=[image]), boxes=[item_boxes],
                                     names=[item.path or f'input {item.index}'], top_k=top_k)
                vis = self.visualize([item], preds, return_vis=draw)
                self.postprocess(preds, vis, inputs=[item], out_dir=out_dir)
                predictions += preds
                if return_vis:
                    views += vis
            for item in batch_items:
                item.array = None  # the image is not kept once drawn
        self._report_errors(errors, predictions)
        return dict(predictions=predictions, visualization=[v['overlay'] for v in views],
                    errors=errors)


def _pack_image(results: dict) -> dict:
    """The loaded BGR image as a (3, H, W) uint8 tensor (what ``predict_boxes`` takes)."""
    image = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
    if image.dtype != np.uint8:
        image = image.clip(0, 255).round().astype(np.uint8)
    return dict(inputs=torch.from_numpy(image), img_path=results.get('img_path'))


def _boxes_of(given: Union[None, list, dict], item: InputItem) -> Optional[torch.Tensor]:
    """This image's boxes: by input index from a list, by path / file name / stem from a
    dict; None (the whole image) without boxes."""
    if given is None:
        return None
    if isinstance(given, list):
        if item.index >= len(given):
            raise InputError(f'no boxes for input {item.index} ({item.path or "array"}): the '
                             f'boxes list has {len(given)} entries')
        return given[item.index]
    keys = [item.path, osp.basename(item.path), item.stem] if item.path else [item.stem]
    for key in keys:
        if key in given:
            return given[key]
    raise InputError(f'no boxes for {item.path or item.stem}: the boxes name '
                     f'{sorted(given)[:5]}' + (' ...' if len(given) > 5 else ''))
