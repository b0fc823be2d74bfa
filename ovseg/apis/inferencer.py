"""``OVSegInferencer``: open-vocabulary semantic segmentation with the vocabulary at call time.

Built on mmengine's ``BaseInferencer`` (preprocess -> forward -> visualize -> postprocess, as
mmseg's ``MMSegInferencer``), which cannot take a vocabulary per call. Example::

    from ovseg.apis import OVSegInferencer
    inferencer = OVSegInferencer('synthworld-denseclip-rn-s')  # or (config, weights)
    result = inferencer('data/synthworld/img_dir/val', vocabulary=['circle', 'sky, blue sky'])

Heads: DenseCLIP (its decode head predicts its own training classes; any other vocabulary is
scored by the pixel-text score map, with a warning once), two-stage OVSeg / PMP
(``TwoStageOVSegmentor``), proposal segmentors (text-prompted SAM, MaskFormer / PMP stage 1),
and any fixed-class mmseg segmentor (its own classes only).
"""
import os.path as osp
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.infer import BaseInferencer

from ovseg.models.clip.vocabulary import Vocabulary, VocabularyError
from ovseg.utils.errors import InputError

from .inputs import InputItem, InputsType, build_image_pipeline, expand_inputs, read_batches
from .outputs import write_prediction
from .prediction import (class_probabilities, predict_at_model_resolution,
                         proposals_at_model_resolution, upsample_labels)
from .prediction import score_maps as score_maps_of_denseclip
from .zoo import resolve_model

#: Label of pixels no class covers in ``sem_seg`` (two-stage models: no proposal covers them).
UNLABELLED = -1


class OVSegInferencer(BaseInferencer):
    """Segment images with any vocabulary; plain data out, files and overlays on request.

    ``__call__(inputs, vocabulary)``: ``_use_vocabulary()`` (``set_vocabulary`` only when the
    vocabulary changed: text embeddings stay cached) -> per batch ``preprocess()`` (the test
    pipeline; a bad image is reported and skipped) -> ``forward()`` (the model's ``predict``
    at its resolution, label map brought to the image size) -> ``visualize()`` (mmseg's
    ``SegLocalVisualizer`` + legend) -> ``postprocess()`` (plain dicts, ``out_dir`` files).

    Args:
        model (str): a zoo name (:func:`~ovseg.apis.list_models`) or a config file.
        weights (str, optional): checkpoint file or registered weights name; None: the zoo
            entry's weights, or for a config its ``pretrained`` / ``init_cfg`` weights
            (``init_weights()``, as ``tools/test.py CONFIG`` without CKPT). Loaded strictly.
        device (str): Defaults to ``'cpu'``.
        show_progress (bool): progress bar over the images of a call. Defaults to True.
        cfg_options (dict, optional): config overrides. Defaults to None.
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = {'score_maps', 'proposals'}
    visualize_kwargs: set = {'return_vis', 'opacity', 'with_labels', 'top_k', 'max_proposals'}
    postprocess_kwargs: set = {'out_dir'}

    def __init__(self, model: str, weights: Optional[str] = None, *, device: str = 'cpu',
                 show_progress: bool = True, cfg_options: Optional[dict] = None) -> None:
        import ovseg.models  # noqa: F401  (registers the heads)
        config, weights = resolve_model(model, weights)
        self._cfg_options = cfg_options
        self._vocabulary: Optional[Vocabulary] = None
        self._warned_score_map = False
        super().__init__(model=config, weights=weights, device=device, scope='mmseg',
                         show_progress=show_progress)
        # models without a test_cfg (attribute models) have no DenseCLIP prediction path
        self._predict_from = (getattr(self.model, 'test_cfg', None) or {}).get('predict_from')

    # ------------------------------------------------------------------ construction
    def _init_model(self, cfg, weights: Optional[str], device: str = 'cpu') -> torch.nn.Module:
        from .model import init_segmentor  # strict loading, or init_weights() without weights
        return init_segmentor(cfg, weights, device=device, cfg_options=self._cfg_options)

    def _init_pipeline(self, cfg) -> Tuple[Any, Any]:
        """(image loader, rest of the test pipeline): :func:`build_image_pipeline`."""
        return build_image_pipeline(cfg)

    def _init_collate(self, cfg):
        from mmengine.dataset import pseudo_collate
        return pseudo_collate  # as mmseg's test dataloaders

    def _init_visualizer(self, cfg):
        from mmseg.visualization import SegLocalVisualizer
        return SegLocalVisualizer(name=f'ovseg-inferencer-{id(self)}')

    # ------------------------------------------------------------------ vocabulary
    @property
    def vocabulary(self) -> Optional[Vocabulary]:
        """The vocabulary of the last call (None before the first)."""
        return self._vocabulary

    def _use_vocabulary(self, vocabulary) -> Vocabulary:
        """Set the model's vocabulary; a repeated one keeps the cached text embeddings.

        Raises:
            VocabularyError: an empty / duplicate vocabulary, no vocabulary and no classes in
                the model's metainfo, or another size on a fixed-class head.
        """
        model = self.model
        if vocabulary is None:
            meta = getattr(model, 'dataset_meta', None) or {}
            if not meta.get('classes'):
                raise VocabularyError('no vocabulary: pass vocabulary=[...], or weights whose '
                                      'checkpoint stores meta.dataset_meta.classes, or a config '
                                      'with a test_dataloader')
            # as the VocabularyHook of tools/test.py: the dataset's synonyms when it has them
            vocab = Vocabulary.from_metainfo(meta)
        elif isinstance(vocabulary, str) and osp.isfile(vocabulary) \
                and not vocabulary.lower().endswith('.json'):
            with open(vocabulary, encoding='utf-8') as file:
                lines = [line for line in file.read().splitlines() if line.strip()]
            try:
                vocab = Vocabulary.from_source(lines)
            except VocabularyError as err:
                raise VocabularyError(f'{err} (in {vocabulary})') from None
        else:
            vocab = Vocabulary.from_source(vocabulary)
        if vocab == self._vocabulary:
            return vocab
        if hasattr(model, 'set_vocabulary'):
            if hasattr(model, '_predict_from_score'):
                self._choose_denseclip_path(vocab)
            try:
                model.set_vocabulary(vocab)
            except ValueError as err:  # a head sized for its classes (detectors)
                raise VocabularyError(str(err).split(' Set num_classes')[0]) from None
        elif len(vocab) != model.num_classes:
            raise VocabularyError(f'{type(model).__name__} segments {model.num_classes} fixed '
                                  f'classes; got {len(vocab)} names')
        self._vocabulary = vocab
        return vocab

    def _choose_denseclip_path(self, vocab: Vocabulary) -> None:
        """DenseCLIP's decode head outputs logits of its ``num_classes`` training classes: it
        predicts for the model's own vocabulary (its metainfo's classes; without metainfo,
        any vocabulary of that size); any other vocabulary is scored by the pixel-text score
        map (``test_cfg.predict_from='score_map'``), with a warning once."""
        model = self.model
        if self._predict_from in ('score_map', 'auto'):
            return
        meta = getattr(model, 'dataset_meta', None) or {}
        own = [Vocabulary.from_metainfo(meta), Vocabulary(list(meta['classes']))] \
            if meta.get('classes') else None
        if (vocab in own) if own else len(vocab) == model.num_classes:
            model.test_cfg.predict_from = self._predict_from or 'decode_head'
            return
        if not self._warned_score_map:
            warnings.warn(f'a vocabulary other than the {model.num_classes} training classes of '
                          "this DenseCLIP's decode head: predicting from the pixel-text score "
                          'map (the decode head is used for its own classes)', stacklevel=3)
            self._warned_score_map = True
        model.test_cfg.predict_from = 'score_map'

    # ------------------------------------------------------------------ steps
    def preprocess(self, inputs: Iterable[InputItem], batch_size: int = 1, *,
                   errors: Optional[list] = None) -> Iterator[Tuple[List[InputItem], dict]]:
        """Batches of (items with their RGB images, collated pipeline outputs).

        A batch holds images of one size after the test pipeline (an image of another size
        starts a new batch), so that each result equals that of a one-image forward.

        An image that cannot be read (:class:`~ovseg.compat.image.ImageReadError`, naming
        it) or converted is appended to ``errors`` and skipped; the others go on.
        """
        return read_batches(inputs, self.pipeline, self.collate_fn, batch_size, errors=errors)

    @torch.no_grad()
    def forward(self, inputs: dict, *, score_maps: bool = False,
                proposals: bool = False) -> List[dict]:
        """Per image: ``sem_seg`` (H0, W0) int64 at the original size (``UNLABELLED`` = -1
        where no class covers a pixel), ``class_scores`` and the optional views.

        ``class_scores[name]``: the mean over the image (at the model's resolution) of the
        class's per-pixel probability: softmax over the vocabulary of the logits, or, for
        proposal models, the composed proposal scores normalised over the vocabulary.
        """
        from ovseg.models.utils import ProposalSegmentorBase
        model = self.model
        batch = model.data_preprocessor(inputs, False)
        results = predict_at_model_resolution(model, batch)
        composed = isinstance(model, ProposalSegmentorBase)
        two_stage = hasattr(model, 'classify')
        names = self._vocabulary.display_names
        maps = None
        if score_maps and model._predict_from_score():  # the prediction is the score map
            maps = [r.seg_logits.data.softmax(dim=0) for r in results]  # (K, h, w) each
        elif score_maps:
            maps = score_maps_of_denseclip(model, batch)
        props = proposals_at_model_resolution(model, batch) if proposals and two_stage else None
        preds = []
        for i, (sample, result) in enumerate(zip(batch['data_samples'], results)):
            size = tuple(sample.ori_shape[:2])
            if 'seg_logits' in result:
                logits = result.seg_logits.data  # (K, h, w)
                if tuple(logits.shape[-2:]) == size:  # the model's own labels are final
                    labels = result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)
                    if two_stage:  # no proposal covers these pixels
                        labels[labels == model.ignore_index] = UNLABELLED
                else:
                    labels = upsample_labels(logits, size, min_score=0.0 if two_stage else None,
                                             align_corners=bool(model.align_corners),
                                             ignore_index=UNLABELLED)
                probs = class_probabilities(logits, composed=composed).mean(dim=(1, 2))  # (K,)
            else:  # a model that keeps no logits: its label map, nearest-resized; areas
                small = result.pred_sem_seg.data[None].float()
                labels = torch.nn.functional.interpolate(small, size=size, mode='nearest')[0, 0]
                labels = labels.long().cpu().numpy()
                probs = torch.bincount(small.flatten().long().clamp(0, len(names)),
                                       minlength=len(names) + 1)[:len(names)] / small.numel()
            pred = dict(sem_seg=labels.astype(np.int64, copy=False), classes=list(names),
                        class_scores={n: float(p) for n, p in zip(names, probs.tolist())},
                        model_size=tuple(sample.img_shape[:2]))
            if maps is not None:
                pred['score_maps'] = maps[i].cpu().numpy()  # (K, h, w)
            if props is not None:
                masks, scores = props[i]
                order = np.argsort(-scores.max(axis=1), kind='stable') if len(scores) else []
                pred['proposals'] = [dict(mask=masks[q] > 0.5, mask_scores=masks[q],
                                          scores={n: float(s) for n, s in zip(names, scores[q])})
                                     for q in order]
            preds.append(pred)
        return preds

    def visualize(self, inputs: List[InputItem], preds: List[dict], *, return_vis: bool = False,
                  opacity: float = 0.5, with_labels: bool = True, top_k: int = 3,
                  max_proposals: int = 16) -> Optional[List[dict]]:
        """Per image the overlay (mmseg's ``SegLocalVisualizer``, legend with the class names)
        and, where predicted, the score-map view (:func:`~ovseg.visualization.score_grid`) and
        the proposal view (:func:`~ovseg.visualization.proposal_grid`: ``max_proposals``
        tiles, best first, each with its ``top_k`` classes); None when not asked."""
        if not return_vis:
            return None
        import cv2

        from ovseg.visualization import draw_overlay, proposal_grid, score_grid
        colors = self._colors()
        out = []
        for item, pred in zip(inputs, preds):
            views = dict(overlay=draw_overlay(self.visualizer, item.array, pred['sem_seg'],
                                              pred['classes'], colors, opacity=opacity,
                                              with_labels=with_labels))
            if 'score_maps' in pred:
                views['scores'] = score_grid(pred['score_maps'], pred['classes'])
            if 'proposals' in pred:
                h, w = pred['model_size']
                small = cv2.resize(item.array, (w, h), interpolation=cv2.INTER_AREA)
                found = pred['proposals']
                masks = np.stack([p['mask_scores'] for p in found]) if found \
                    else np.zeros((0, h, w))
                scores = np.array([list(p['scores'].values()) for p in found]) if found \
                    else np.zeros((0, len(pred['classes'])))
                views['proposals'] = proposal_grid(small, masks, scores, pred['classes'],
                                                   top_k=top_k, max_proposals=max_proposals)
            out.append(views)
        return out

    def postprocess(self, preds: List[dict], visualization: Optional[List[dict]],
                    return_datasample: bool = False, *, inputs: Sequence[InputItem] = (),
                    out_dir: str = '') -> dict:
        """Plain dicts (``image_path`` added); with ``out_dir``, the files of
        :func:`~ovseg.apis.outputs.write_prediction`."""
        for i, (item, pred) in enumerate(zip(inputs, preds)):
            pred['image_path'] = item.path
            pred['input_index'] = item.index
            if out_dir:
                write_prediction(out_dir, item.stem, pred,
                                 None if visualization is None else visualization[i],
                                 vocabulary=list(self._vocabulary.names))
        return dict(predictions=preds, visualization=visualization or [])

    # ------------------------------------------------------------------ call
    def __call__(self, inputs: InputsType, vocabulary: Union[None, str, Sequence[str]] = None,
                 batch_size: int = 1, out_dir: str = '', return_vis: bool = False,
                 show_progress: Optional[bool] = None, *, score_maps: bool = False,
                 proposals: bool = False, opacity: float = 0.5, with_labels: bool = True,
                 top_k: int = 3, max_proposals: int = 16) -> Dict[str, list]:
        """Segment ``inputs`` with ``vocabulary``.

        Args:
            inputs: an image path, an (H, W, 3) uint8 RGB array (gray, RGBA and uint16 are
                converted), a folder, a video file, or a list of those.
            vocabulary: None (the model's own classes), a list of names (``'dog, puppy'``:
                synonyms), a ``"a,b,c"`` string, or a text file (one class per line) /
                ``.json`` file.
            batch_size (int): images per forward. Defaults to 1.
            out_dir (str): write ``preds/<stem>.png`` label maps, ``preds/<stem>.json`` and
                ``vis/<stem>.png`` overlays there (:mod:`ovseg.apis.outputs`). Defaults to ''.
            return_vis (bool): return the overlays. Defaults to False.
            show_progress (bool, optional): progress bar; None: the constructor's choice.
            score_maps (bool): DenseCLIP: add ``score_maps`` (K, h, w) per-class pixel-text
                probabilities at the model's resolution (and the score view). Defaults to False.
            proposals (bool): two-stage models: add ``proposals``, best first, each ``mask``
                (h, w) bool (``mask_scores`` > 0.5) and ``mask_scores`` (h, w) in [0, 1] at
                the model's resolution, and ``scores`` {name: score} (and the proposal view).
                Defaults to False.
            opacity (float): overlay colour weight. Defaults to 0.5.
            with_labels (bool): class names on the regions too. Defaults to True.
            top_k (int): classes per tile of the proposal view. Defaults to 3.
            max_proposals (int): tiles of the proposal view. Defaults to 16.

        Returns:
            dict: ``predictions`` (one dict per image read: ``sem_seg`` (H, W) int64 class ids,
            -1 where no class covers a pixel; ``classes``; ``class_scores``; ``image_path``;
            ``input_index``; ``model_size`` (h, w) after the test pipeline; optional
            ``score_maps`` / ``proposals``), ``visualization``
            (with ``return_vis``: per image RGB uint8 overlay), ``views`` (with
            ``return_vis``: per image dict of ``overlay`` and the optional ``scores`` /
            ``proposals`` views) and ``errors`` (the images skipped: ``index``,
            ``image_path``, ``error``).

        Raises:
            VocabularyError: a bad vocabulary. ImageReadError: when no image could be read.
        """
        if score_maps and not hasattr(self.model, '_language_guide'):
            raise InputError(f'score_maps needs a DenseCLIP model; this is '
                             f'{type(self.model).__name__}')
        if proposals and not hasattr(self.model, 'classify'):
            raise InputError(f'proposals needs a two-stage model (TwoStageOVSegmentor); this '
                             f'is {type(self.model).__name__}')
        self._use_vocabulary(vocabulary)
        items = self._tracked(*expand_inputs(inputs), show_progress, 'Segmenting')
        errors: list = []
        predictions, views = [], []
        draw = return_vis or bool(out_dir)
        for batch_items, batch in self.preprocess(items, batch_size, errors=errors):
            preds = self.forward(batch, score_maps=score_maps, proposals=proposals)
            vis = self.visualize(batch_items, preds, return_vis=draw, opacity=opacity,
                                 with_labels=with_labels, top_k=top_k,
                                 max_proposals=max_proposals)
            self.postprocess(preds, vis, inputs=batch_items, out_dir=out_dir)
            predictions += preds
            if return_vis:
                views += vis
            for item in batch_items:
                item.array = None  # the image is not kept once drawn
        self._report_errors(errors, predictions)
        return dict(predictions=predictions, visualization=[v['overlay'] for v in views],
                    views=views, errors=errors)

    # ------------------------------------------------------------------ helpers
    def _tracked(self, items: Iterable[InputItem], total: int, show_progress: Optional[bool],
                 description: str) -> Iterable[InputItem]:
        """``items`` behind a progress bar when shown (``show_progress``, else the
        constructor's choice) and there is more than one image."""
        show = self.show_progress if show_progress is None else show_progress
        if not (show and total > 1):
            return items
        from rich.progress import track
        return track(items, total=total, description=description)

    @staticmethod
    def _report_errors(errors: List[dict], predictions: list) -> None:
        """The end of a call: no image read raises the first error
        (:class:`~ovseg.compat.image.ImageReadError`); skipped images give one warning."""
        if errors and not predictions:
            from ovseg.compat.image import ImageReadError
            raise ImageReadError(errors[0]['error'])
        if errors:
            warnings.warn(f'skipped {len(errors)} image(s) (result["errors"]): '
                          f'{errors[0]["error"]}' + (' ...' if len(errors) > 1 else ''),
                          stacklevel=3)

    def _colors(self) -> List[Tuple[int, int, int]]:
        """The dataset palette for the model's own classes, generated colours otherwise."""
        from ovseg.visualization import palette
        meta = getattr(self.model, 'dataset_meta', None) or {}
        given = meta.get('palette')
        vocab = self._vocabulary
        if given and len(given) == len(vocab) and meta.get('classes') \
                and vocab in (Vocabulary.from_metainfo(meta), Vocabulary(list(meta['classes']))):
            return [tuple(int(c) for c in color) for color in given]
        return palette(len(vocab))
