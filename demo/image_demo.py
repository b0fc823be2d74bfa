"""Segment one image with an open-vocabulary segmentor and draw the result.

    python demo/image_demo.py IMG CONFIG CKPT [--vocabulary "a,b,c" | FILE] [--out out.png]
                              [--scores-out scores.png] [--opacity 0.5] [--device cpu]

Writes ``--out``: the image with the predicted classes overlaid and a legend of the classes
present; for DenseCLIP models also ``--scores-out`` (default ``<out>_scores.png``): one tile
per class with its pixel-text score map (softmax over the vocabulary of cosine / tau).
Without ``--vocabulary`` the classes come from the checkpoint (``meta.dataset_meta``). A
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
        labels (np.ndarray): (H, W) class indices into ``names``.
        names (Sequence[str]): class names.
        colors (Sequence[tuple]): RGB colour per class.
        opacity (float): weight of the colours. Defaults to 0.5.

    Returns:
        np.ndarray: (H, W + legend width, 3) uint8 RGB.
    """
    color_map = np.asarray(colors, dtype=np.uint8)[labels]  # (H, W, 3)
    blended = (image * (1 - opacity) + color_map * opacity).astype(np.uint8)
    present = [int(k) for k in np.unique(labels)]
    areas = {k: int((labels == k).sum()) for k in present}
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
    th, tw = (tile, max(1, round(tile * w / h))) if h >= w else (max(1, round(tile * h / w)), tile)
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


def _pipeline(cfg):
    from mmengine.dataset import Compose
    steps = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
    return Compose([s for s in steps if s['type'] != 'LoadAnnotations'])


def run(img: str, config: str, checkpoint: str, *, vocabulary: Optional[str] = None,
        out: str = 'out.png', scores_out: Optional[str] = None, opacity: float = 0.5,
        device: str = 'cpu') -> Tuple[str, Optional[str]]:
    """Segment ``img`` and write the overlay (and score grid); returns the written paths."""
    import mmcv
    from mmseg.apis import init_model

    import ovseg  # noqa: F401  (compat patches: weights-only checkpoint loading)
    import ovseg.models  # noqa: F401
    from ovseg.models.clip.vocabulary import load_vocabulary

    model = init_model(config, checkpoint, device=device)
    meta = getattr(model, 'dataset_meta', None) or {}
    names = load_vocabulary(vocabulary) if vocabulary else list(meta.get('classes') or [])
    if not names:
        raise SystemExit('error: no vocabulary: pass --vocabulary or use a checkpoint with '
                         'meta.dataset_meta.classes')
    if hasattr(model, 'set_vocabulary'):
        if len(names) != model.num_classes and hasattr(model, '_predict_from_score'):
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
    with torch.no_grad():
        result = model.predict(batch['inputs'], batch['data_samples'])[0]
    labels = result.pred_sem_seg.data[0].cpu().numpy()
    image = mmcv.imread(img, channel_order='rgb')
    given = meta.get('palette')
    colors = given if given and len(given) == len(names) and not vocabulary else palette(len(names))
    display = [n.split(',')[0].strip() for n in names]
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    mmcv.imwrite(overlay_with_legend(image, labels, display, colors, opacity)[..., ::-1], out)
    written_scores = None
    if hasattr(model, '_language_guide'):
        scores_out = scores_out or osp.splitext(out)[0] + '_scores.png'
        with torch.no_grad():
            inputs = batch['inputs']
            *_, (global_feat, dense) = model.backbone(model._pad(inputs))
            score = model._language_guide(global_feat, dense)[1] / model.tau
            score = torch.nn.functional.interpolate(score, size=model._pad(inputs).shape[-2:],
                                                    mode='bilinear', align_corners=False)
            h, w = data['data_samples'].img_shape
            prob = score[0, :, :h, :w].softmax(dim=0)
            prob = torch.nn.functional.interpolate(prob[None], size=image.shape[:2],
                                                   mode='bilinear', align_corners=False)[0]
        mmcv.imwrite(score_grid(prob.cpu().numpy(), display)[..., ::-1], scores_out)
        written_scores = scores_out
    return out, written_scores


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--vocabulary', help='"a,b,c", or a .txt/.json file (one class each; '
                        'comma-separated synonyms per line in a file)')
    parser.add_argument('--out', default='out.png', help='overlay PNG to write')
    parser.add_argument('--scores-out', help='score-map grid PNG (default <out>_scores.png)')
    parser.add_argument('--opacity', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    out, scores = run(args.img, args.config, args.checkpoint, vocabulary=args.vocabulary,
                      out=args.out, scores_out=args.scores_out, opacity=args.opacity,
                      device=args.device)
    print(f'[demo] wrote {out}' + (f' and {scores}' if scores else ''))


if __name__ == '__main__':
    main()
