"""Segment one image with an open-vocabulary segmentor and draw the result.

    python demo/image_demo.py IMG CONFIG [CKPT] [--vocabulary "a,b,c" | FILE] [--out out.png]
                              [--scores-out scores.png] [--proposals-out proposals.png]
                              [--top-k 3] [--max-proposals 16] [--opacity 0.5] [--device cpu]
                              [--cfg-options model.mask_classifier.clip.use_mask_prompt=True]

Writes ``--out``: the image with the predicted classes overlaid and a legend of the classes
present (pixels no class covers, e.g. where no two-stage proposal survived, stay uncoloured);
for DenseCLIP models also ``--scores-out`` (default ``<out>_scores.png``): one tile per class
with its pixel-text score map (softmax over the vocabulary of cosine / tau); for two-stage
models (``TwoStageOVSegmentor``), with ``--proposals-out``, one tile per mask proposal (the
image dimmed outside the mask) with its ``--top-k`` classes and their scores.
Without ``--vocabulary`` the classes come from the checkpoint (``meta.dataset_meta``). Without
CKPT the weights come from ``init_weights()`` (the config's ``pretrained`` parts and
``init_cfg``, e.g. a zero-shot CLIP head or a two-stage model's stage-1 weights), as for
``tools/test.py CONFIG``, and the classes from ``--vocabulary`` or the config's test dataset. A
DenseCLIP model whose decode head was trained for another number of classes predicts from
its score map for a vocabulary of a different size.
"""
import argparse
import colorsys
import math
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import DictAction

from ovseg.apis.cli import run_cli

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def palette(num: int) -> List[Tuple[int, int, int]]:
    """``num`` distinct RGB colours (golden-ratio hues)."""
    out = []
    for i in range(num):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.8, 0.95 - 0.3 * (i % 2))
        out.append((round(255 * r), round(255 * g), round(255 * b)))
    return out


def overlay_with_legend(image: np.ndarray, labels: np.ndarray, names: Sequence[str],
                        colors: Sequence[Tuple[int, int, int]], opacity: float = 0.5
                        ) -> np.ndarray:
    """Blend the label map onto the image and add a legend of the classes present.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        labels (np.ndarray): (H, W) class indices into ``names``; any other value (the
            ignore index) is left uncoloured and listed as 'unlabelled'.
        names (Sequence[str]): class names.
        colors (Sequence[tuple]): RGB colour per class.
        opacity (float): weight of the colours. Defaults to 0.5.

    Returns:
        np.ndarray: (H, W + legend width, 3) uint8 RGB.
    """
    # In row blocks, so that a huge image costs a few blocks of float64 blending, not
    # (H, W, 3) of them; each pixel is blended exactly as in one pass.
    num = len(names)
    lut = np.asarray(colors, dtype=np.uint8)
    blended = np.empty_like(image)
    counts = np.zeros(num + 1, np.int64)  # pixels per class, then unlabelled
    step = max(1, (1 << 22) // max(1, image.shape[1]))
    for y in range(0, image.shape[0], step):
        block = labels[y:y + step]
        labelled = (block >= 0) & (block < num)
        color_map = lut[np.where(labelled, block, 0)]  # (h, W, 3)
        alpha = opacity * labelled[..., None]
        blended[y:y + step] = (image[y:y + step] * (1 - alpha)
                               + color_map * alpha).astype(np.uint8)
        counts += np.bincount(np.where(labelled, block, num).ravel(), minlength=num + 1)
    names = list(names) + ['unlabelled']
    colors = list(colors) + [(255, 255, 255)]
    present = [k for k in range(num + 1) if counts[k]]
    areas = {k: int(counts[k]) for k in present}
    present.sort(key=lambda k: -areas[k])
    row, scale = 22, 0.5
    width = max([cv2.getTextSize(f'{names[k]} {100 * areas[k] / labels.size:.0f}%', _FONT,
                                 scale, 1)[0][0] for k in present] + [60]) + 40
    height = max(blended.shape[0], row * len(present) + 10)
    canvas = np.full((height, blended.shape[1] + width, 3), 255, np.uint8)
    canvas[:blended.shape[0], :blended.shape[1]] = blended
    x0 = blended.shape[1] + 8
    for i, k in enumerate(present):
        y = 8 + i * row
        cv2.rectangle(canvas, (x0, y), (x0 + 16, y + 14), tuple(int(c) for c in colors[k]), -1)
        cv2.putText(canvas, f'{names[k]} {100 * areas[k] / labels.size:.0f}%',
                    (x0 + 22, y + 12), _FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    return canvas


def _tile_shape(height: int, width: int, tile: int) -> Tuple[int, int]:
    """(tile height, tile width) of an image scaled so that its longer side is ``tile``."""
    if height >= width:
        return tile, max(1, round(tile * width / height))
    return max(1, round(tile * height / width)), tile


def score_grid(scores: np.ndarray, names: Sequence[str], *, tile: int = 160,
               cols: Optional[int] = None) -> np.ndarray:
    """Tile per-class score maps (values in [0, 1]) with their names, JET colours.

    Args:
        scores (np.ndarray): (K, H, W) floats in [0, 1].
        names (Sequence[str]): K class names.
        tile (int): longer side of a tile in pixels. Defaults to 160.
        cols (int, optional): tiles per row. Defaults to ceil(sqrt(K)).

    Returns:
        np.ndarray: RGB uint8 grid.
    """
    k, h, w = scores.shape
    cols = cols or math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    th, tw = _tile_shape(h, w, tile)
    label_h = 20
    grid = np.full((rows * (th + label_h), cols * tw, 3), 255, np.uint8)
    for i in range(k):
        r, c = divmod(i, cols)
        heat = cv2.resize((np.clip(scores[i], 0, 1) * 255).astype(np.uint8), (tw, th),
                          interpolation=cv2.INTER_LINEAR)
        heat = cv2.cvtColor(cv2.applyColorMap(heat, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
        y = r * (th + label_h)
        grid[y + label_h:y + label_h + th, c * tw:(c + 1) * tw] = heat
        text = f'{names[i]} (max {scores[i].max():.2f})'
        cv2.putText(grid, text[:max(4, tw // 7)], (c * tw + 3, y + 14), _FONT, 0.4, (0, 0, 0),
                    1, cv2.LINE_AA)
    return grid


def proposal_grid(image: np.ndarray, masks: np.ndarray, scores: np.ndarray,
                  names: Sequence[str], *, top_k: int = 3, max_proposals: int = 16,
                  tile: int = 160) -> np.ndarray:
    """Tile the proposals of a two-stage model, each with its best classes.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        masks (np.ndarray): (Q, H, W) proposal masks in [0, 1] at the image size.
        scores (np.ndarray): (Q, K) class scores of the proposals.
        names (Sequence[str]): K class names.
        top_k (int): classes written under each tile. Defaults to 3.
        max_proposals (int): tiles drawn, best-scoring proposals first. Defaults to 16.
        tile (int): longer side of a tile in pixels. Defaults to 160.

    Returns:
        np.ndarray: RGB uint8 grid; each tile is the image at a quarter of its brightness
        outside the mask (threshold 0.5) with the mask outlined, above ``top_k`` lines
        ``name score``. An image with no proposal gives a one-tile grid saying so.
    """
    th, tw = _tile_shape(*image.shape[:2], tile)
    order = np.argsort(-scores.max(axis=1), kind='stable')[:max_proposals] if len(scores) else []
    cols = max(1, min(4, len(order)))
    rows = max(1, math.ceil(len(order) / cols))
    text_h = 16 * top_k + 4
    grid = np.full((rows * (th + text_h), cols * tw, 3), 255, np.uint8)
    if not len(order):
        cv2.putText(grid, 'no proposal', (4, th // 2), _FONT, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        return grid
    for slot, q in enumerate(order):
        r, c = divmod(slot, cols)
        inside = masks[q] > 0.5
        view = np.where(inside[..., None], image, image // 4).astype(np.uint8)
        contours, _ = cv2.findContours(inside.astype(np.uint8), cv2.RETR_EXTERNAL,
                                       cv2.CHAIN_APPROX_SIMPLE)
        view = cv2.drawContours(np.ascontiguousarray(view), contours, -1, (255, 255, 0), 1)
        y, x = r * (th + text_h), c * tw
        grid[y:y + th, x:x + tw] = cv2.resize(view, (tw, th), interpolation=cv2.INTER_AREA)
        for line, k in enumerate(np.argsort(-scores[q], kind='stable')[:top_k]):
            text = f'{names[k]} {scores[q, k]:.2f}'
            cv2.putText(grid, text[:max(4, tw // 7)], (x + 3, y + th + 14 + 16 * line), _FONT,
                        0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return grid


def _proposals(model, batch: dict, image_shape: Tuple[int, int]
               ) -> Tuple[np.ndarray, np.ndarray]:
    """(Q, H0, W0) masks at the original image size and (Q, K) scores of a two-stage model."""
    with torch.no_grad():
        masks, scores = model.classify(batch['inputs'], batch['data_samples'])
    h, w = batch['data_samples'][0].img_shape[:2]
    masks = masks[0][:, :h, :w].float()
    if len(masks):
        masks = torch.nn.functional.interpolate(masks[None], size=image_shape,
                                                mode='bilinear', align_corners=False)[0]
    else:
        masks = masks.new_zeros(0, *image_shape)
    return masks.cpu().numpy(), scores[0].float().cpu().numpy()


def _pipeline(cfg):
    from mmengine.dataset import Compose
    steps = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
    return Compose([s for s in steps if s['type'] != 'LoadAnnotations'])


def _at_model_resolution(samples: Sequence) -> list:
    """Copies of ``samples`` with ``ori_shape`` set to ``img_shape``, so that mmseg's
    postprocess stops at the model's resolution instead of resizing K channels of logits to
    the original (possibly huge) image size."""
    out = []
    for sample in samples:
        sample = sample.clone()
        sample.set_metainfo(dict(ori_shape=tuple(sample.img_shape[:2])))
        out.append(sample)
    return out


def predict_at_model_resolution(model, batch: dict):
    """The model's own ``predict`` (so ``test_cfg.mode='slide'`` applies) at its resolution.

    Returns:
        SegDataSample: ``pred_sem_seg`` (1, h, w) and, where the model stores them,
        ``seg_logits`` (K, h, w), (h, w) being the test-pipeline image size (``img_shape``,
        padding removed).
    """
    with torch.no_grad():
        return model.predict(batch['inputs'], _at_model_resolution(batch['data_samples']))[0]


def score_maps(model, batch: dict) -> torch.Tensor:
    """Per-class pixel-text scores of a DenseCLIP model at the model's resolution.

    The softmax over the vocabulary of ``score / tau`` from the model's own ``predict`` with
    ``test_cfg.predict_from='score_map'`` (whole or slide inference, as the config says).

    Returns:
        Tensor: (K, h, w) probabilities, (h, w) the test-pipeline image size.
    """
    test_cfg = model.test_cfg
    before = test_cfg.get('predict_from')
    test_cfg.predict_from = 'score_map'
    try:
        logits = predict_at_model_resolution(model, batch).seg_logits.data  # (K, h, w)
    finally:
        if before is None:
            test_cfg.pop('predict_from')
        else:
            test_cfg.predict_from = before
    return logits.softmax(dim=0)


def upsample_labels(logits: torch.Tensor, size: Tuple[int, int], *,
                    align_corners: bool = False, min_score: Optional[float] = None,
                    ignore_index: int = 255, max_elements: int = 1 << 23) -> np.ndarray:
    """Label map at ``size`` of logits at the model's resolution, as ``tools/test.py``.

    mmseg resizes the (K, h, w) logits bilinearly to the original size and takes the argmax;
    done at once, that is a K x H0 x W0 float tensor (5 GiB for 21 classes on an 8000x8000
    image). Here the logits are resized along the width first (K x h x W0), then along the
    height in column blocks of at most ``max_elements`` values, each reduced to its argmax
    at once. The result equals the one-shot resize bit for bit when enlarging (PyTorch's
    bilinear kernel also interpolates along the width first); an output no larger than the
    logits is resized at once, as mmseg does.

    Args:
        logits (Tensor): (K, h, w) logits or scores.
        size (tuple[int, int]): (H0, W0) output size.
        align_corners (bool): as the model's decode head. Defaults to False.
        min_score (float, optional): pixels whose best score is not above it become
            ``ignore_index`` (two-stage models: no mask covers them). Defaults to None.
        ignore_index (int): see ``min_score``. Defaults to 255.
        max_elements (int): floats per column block. Defaults to 2 ** 23 (32 MiB).

    Returns:
        np.ndarray: (H0, W0) int32 labels.
    """
    from mmseg.models.utils import resize
    k, h, w = logits.shape
    height, width = size
    labels = np.empty((height, width), np.int32)
    if height < h or width < w or (height, width) == (h, w):
        blocks = [(0, width, resize(logits[None], size=size, mode='bilinear',
                                    align_corners=align_corners, warning=False)[0])]
    else:
        rows = resize(logits[None], size=(h, width), mode='bilinear',
                      align_corners=align_corners, warning=False)  # (1, K, h, W0)
        step = max(1, max_elements // (k * height))
        blocks = ((x, x + step, rows[..., x:x + step]) for x in range(0, width, step))
    for x0, x1, block in blocks:
        if block.dim() == 4:  # (1, K, h, w') -> (K, H0, w'): only the height is resized
            block = resize(block, size=(height, block.shape[-1]), mode='bilinear',
                           align_corners=align_corners, warning=False)[0]
        index = block.argmax(dim=0)  # (H0, w')
        if min_score is not None:
            index[block.amax(dim=0) <= min_score] = ignore_index
        labels[:, x0:x1] = index.cpu().numpy()
    return labels


def run(img: str, config: str, checkpoint: Optional[str] = None, *,
        vocabulary: Optional[str] = None,
        out: str = 'out.png', scores_out: Optional[str] = None,
        proposals_out: Optional[str] = None, top_k: int = 3, max_proposals: int = 16,
        opacity: float = 0.5, device: str = 'cpu', cfg_options: Optional[dict] = None
        ) -> Tuple[str, Optional[str]]:
    """Segment ``img`` and write the overlay (and the score or proposal grid).

    Returns:
        tuple[str, str | None]: the overlay and the grid written (score grid for DenseCLIP,
        ``proposals_out`` for two-stage models, None otherwise).
    """
    import mmcv

    import ovseg  # noqa: F401  (compat patches: weights-only checkpoint loading)
    import ovseg.models  # noqa: F401
    from ovseg.apis import init_segmentor  # strict: a checkpoint must fit the config
    from ovseg.models.clip.vocabulary import Vocabulary

    model = init_segmentor(config, checkpoint, device=device, cfg_options=cfg_options)
    if checkpoint is None:
        print('[demo] no checkpoint: weights from init_weights (the config\'s pretrained parts), '
              'classes from ' + ('--vocabulary' if vocabulary is not None
                                 else "the config's test dataset"))
    if proposals_out and not hasattr(model, 'classify'):
        raise SystemExit(f'error: --proposals-out needs a two-stage model (TwoStageOVSegmentor); '
                         f'{config} builds {type(model).__name__}')
    meta = getattr(model, 'dataset_meta', None) or {}
    if vocabulary is None and not meta.get('classes'):
        raise SystemExit('error: no vocabulary: pass --vocabulary, or use a checkpoint with '
                         'meta.dataset_meta.classes or a config with a test_dataloader')
    names = (Vocabulary.from_source(vocabulary) if vocabulary is not None
             else Vocabulary.from_metainfo(meta, synonyms_key=None))
    if hasattr(model, 'set_vocabulary'):
        if hasattr(model, '_predict_from_score') and len(names) != model.num_classes:
            print(f'[demo] {len(names)} names for a decode head of {model.num_classes} '
                  'classes: predicting from the pixel-text score map')
            model.test_cfg.predict_from = 'score_map'
        model.set_vocabulary(names)
    elif len(names) != model.num_classes:
        raise SystemExit(f'error: this model segments {model.num_classes} fixed classes; '
                         f'got {len(names)} names')
    data = _pipeline(model.cfg)(dict(img_path=img))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    image = mmcv.imread(img, channel_order='rgb')
    # Predict at the model's resolution (the test pipeline's scale) and bring only the label
    # map to the image size: no K x H x W float tensor at the original size (see README,
    # "Memory").
    result = predict_at_model_resolution(model, batch)
    two_stage = hasattr(model, 'classify')
    if 'seg_logits' in result:
        labels = upsample_labels(result.seg_logits.data, image.shape[:2],
                                 align_corners=bool(getattr(model, 'align_corners', False)),
                                 min_score=0.0 if two_stage else None,
                                 ignore_index=getattr(model, 'ignore_index', 255))
    else:  # a model that keeps no logits: its label map, nearest-resized
        labels = torch.nn.functional.interpolate(
            result.pred_sem_seg.data[None].float(), size=image.shape[:2],
            mode='nearest')[0, 0].long().cpu().numpy()
    given = meta.get('palette')
    colors = (given if given and len(given) == len(names) and vocabulary is None
              else palette(len(names)))
    display = list(names.display_names)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    mmcv.imwrite(overlay_with_legend(image, labels, display, colors, opacity)[..., ::-1], out)
    written_scores = None
    if hasattr(model, '_language_guide'):
        scores_out = scores_out or osp.splitext(out)[0] + '_scores.png'
        if model._predict_from_score():  # the prediction already came from the score map
            prob = result.seg_logits.data.softmax(dim=0)  # (K, h, w)
        else:
            prob = score_maps(model, batch)  # (K, h, w)
        mmcv.imwrite(score_grid(prob.cpu().numpy(), display)[..., ::-1], scores_out)
        written_scores = scores_out
    elif proposals_out:
        # the proposal tiles are drawn at the model's resolution, not the image's
        h, w = data['data_samples'].img_shape[:2]
        small = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        masks, scores = _proposals(model, batch, (h, w))
        grid = proposal_grid(small, masks, scores, display, top_k=top_k,
                             max_proposals=max_proposals)
        mmcv.imwrite(grid[..., ::-1], proposals_out)
        written_scores = proposals_out
    return out, written_scores


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint file; without it the weights '
                        "come from init_weights (the config's pretrained parts)")
    parser.add_argument('--vocabulary', help='"a,b,c", or a .txt/.json file (one class each; '
                        'comma-separated synonyms per line in a file)')
    parser.add_argument('--out', default='out.png', help='overlay PNG to write')
    parser.add_argument('--scores-out', help='score-map grid PNG (default <out>_scores.png)')
    parser.add_argument('--proposals-out', help='two-stage models: PNG with one tile per '
                        'mask proposal and its top classes')
    parser.add_argument('--top-k', type=int, default=3, help='classes per proposal tile')
    parser.add_argument('--max-proposals', type=int, default=16,
                        help='proposal tiles, best-scoring first')
    parser.add_argument('--opacity', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value (mmengine syntax)')
    args = parser.parse_args(argv)
    out, scores = run(args.img, args.config, args.checkpoint, vocabulary=args.vocabulary,
                      out=args.out, scores_out=args.scores_out,
                      proposals_out=args.proposals_out, top_k=args.top_k,
                      max_proposals=args.max_proposals, opacity=args.opacity,
                      device=args.device, cfg_options=args.cfg_options)
    print(f'[demo] wrote {out}' + (f' and {scores}' if scores else ''))


if __name__ == '__main__':
    run_cli(main)
