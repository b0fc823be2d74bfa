"""``OVDetInferencer``: DenseCLIP detection and instance segmentation as plain data.

The same inputs, vocabulary handling, batching, bad-image reporting and ``out_dir`` layout as
:class:`~ovseg.apis.OVSegInferencer`, for mmdet detectors (DenseCLIP RetinaNet / Mask R-CNN).
Their heads classify the ``num_classes`` training classes, so a call-time vocabulary renames
them (one name, or comma-separated synonyms, per class, in label order); another size is a
``VocabularyError``. Example::

    inferencer = OVDetInferencer('configs/denseclip/denseclip-mask-rcnn_...py', 'ckpt.pth')
    result = inferencer('images/', vocabulary=['circle', 'square', ...])
    result['predictions'][0]['masks'][0]  # COCO RLE, pycocotools.mask.decode() -> (H, W)
"""
import json
import os
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch

from .inferencer import OVSegInferencer
from .inputs import InputItem


def encode_masks(masks: np.ndarray) -> List[dict]:
    """COCO run-length encodings of (N, H, W) binary masks, ``counts`` as str (JSON-ready)."""
    from pycocotools import mask as mask_utils  # optional: only instance models need it
    # pycocotools takes (H, W, N) in Fortran order
    rles = mask_utils.encode(np.asfortranarray(masks.transpose(1, 2, 0).astype(np.uint8)))
    for rle in rles:
        rle['counts'] = rle['counts'].decode('ascii')
    return rles


class OVDetInferencer(OVSegInferencer):
    """Boxes, labels, scores (and COCO RLE masks) of an mmdet detector, with class names.

    ``forward()``: the detector's own ``predict(rescale=True)`` (boxes and masks at the
    original image size, as ``tools/test.py``); ``visualize()``: mmdet's
    ``DetLocalVisualizer`` (boxes, masks, class names and scores above ``score_thr``);
    ``postprocess()``: ``preds/<stem>.json`` (COCO-style annotations) and ``vis/<stem>.png``.

    Args: see :class:`~ovseg.apis.OVSegInferencer`; plus ``score_thr`` (float): the lowest
        score drawn in the overlays (every prediction is returned). Defaults to 0.3.
    """

    def __init__(self, model: str, weights: Optional[str] = None, *, device: str = 'cpu',
                 show_progress: bool = True, cfg_options: Optional[dict] = None,
                 score_thr: float = 0.3) -> None:
        super().__init__(model, weights, device=device, show_progress=show_progress,
                         cfg_options=cfg_options)
        self.score_thr = score_thr

    def _init_model(self, cfg, weights: Optional[str], device: str = 'cpu') -> torch.nn.Module:
        from .model import init_detector  # strict loading, or init_weights() without weights
        return init_detector(cfg, weights, device=device, cfg_options=self._cfg_options)

    def _init_visualizer(self, cfg):
        from mmdet.visualization import DetLocalVisualizer
        return DetLocalVisualizer(name=f'ovseg-det-inferencer-{id(self)}')

    @torch.no_grad()
    def forward(self, inputs: dict, **kwargs) -> List[dict]:
        """Per image: ``boxes`` (N, 4) float xyxy in original pixels, ``labels`` (N,) int64,
        ``label_names``, ``scores`` (N,), ``classes`` and, for instance models, ``masks``: N
        COCO RLE dicts (``size`` = [H, W], ``counts`` str)."""
        batch = self.model.data_preprocessor(inputs, False)
        results = self.model.predict(batch['inputs'], batch['data_samples'], rescale=True)
        names = list(self._vocabulary.display_names)
        preds = []
        for result in results:
            inst = result.pred_instances
            labels = inst.labels.cpu().numpy().astype(np.int64)
            pred = dict(boxes=inst.bboxes.float().cpu().numpy(), labels=labels,
                        label_names=[names[k] for k in labels],
                        scores=inst.scores.float().cpu().numpy(), classes=names)
            if 'masks' in inst:
                pred['masks'] = encode_masks(inst.masks.cpu().numpy())
            preds.append(pred)
        return preds

    def visualize(self, inputs: List[InputItem], preds: List[dict], *, return_vis: bool = False,
                  **kwargs) -> Optional[List[dict]]:
        """Per image the overlay drawn by mmdet's ``DetLocalVisualizer``; None when not asked."""
        if not return_vis:
            return None
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        from pycocotools import mask as mask_utils
        self.visualizer.dataset_meta = dict(classes=preds[0]['classes'] if preds else [],
                                            palette=self._colors())
        out = []
        for item, pred in zip(inputs, preds):
            inst = InstanceData(bboxes=torch.from_numpy(pred['boxes']),
                                labels=torch.from_numpy(pred['labels']),
                                scores=torch.from_numpy(pred['scores']))
            if 'masks' in pred:
                h, w = item.array.shape[:2]
                masks = [mask_utils.decode(rle) for rle in pred['masks']]  # (H, W) each
                inst.masks = torch.from_numpy(np.stack(masks).astype(bool) if masks
                                              else np.zeros((0, h, w), bool))
            self.visualizer.add_datasample('det', item.array, DetDataSample(pred_instances=inst),
                                           draw_gt=False, pred_score_thr=self.score_thr)
            out.append(dict(overlay=self.visualizer.get_image()))
        return out

    def postprocess(self, preds: List[dict], visualization: Optional[List[dict]],
                    return_datasample: bool = False, *, inputs: Sequence[InputItem] = (),
                    out_dir: str = '') -> dict:
        """Plain dicts; with ``out_dir``, ``preds/<stem>.json``: ``image_path``, ``height``,
        ``width``, ``classes``, ``vocabulary`` and COCO-style ``annotations`` (``bbox`` as
        [x, y, w, h], ``category_id``, ``category``, ``score``, ``segmentation`` RLE), and
        ``vis/<stem>.png``."""
        for i, (item, pred) in enumerate(zip(inputs, preds)):
            pred['image_path'] = item.path
            pred['input_index'] = item.index
            if not out_dir:
                continue
            annotations = []
            for k, ((x1, y1, x2, y2), label, score) in enumerate(
                    zip(pred['boxes'].tolist(), pred['labels'].tolist(), pred['scores'].tolist())):
                ann = dict(bbox=[x1, y1, x2 - x1, y2 - y1], category_id=label,
                           category=pred['classes'][label], score=score)
                if 'masks' in pred:
                    ann['segmentation'] = pred['masks'][k]
                annotations.append(ann)
            h, w = item.array.shape[:2]
            os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)
            with open(osp.join(out_dir, 'preds', f'{item.stem}.json'), 'w',
                      encoding='utf-8') as file:
                json.dump(dict(image_path=item.path, height=h, width=w, classes=pred['classes'],
                               vocabulary=list(self._vocabulary.names),
                               annotations=annotations), file, indent=1, ensure_ascii=False)
            if visualization is not None:
                os.makedirs(osp.join(out_dir, 'vis'), exist_ok=True)
                cv2.imwrite(osp.join(out_dir, 'vis', f'{item.stem}.png'),
                            visualization[i]['overlay'][..., ::-1])
        return dict(predictions=preds, visualization=visualization or [])
