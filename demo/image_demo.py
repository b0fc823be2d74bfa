"""Segment images, a folder or a video with any class names: a thin wrapper of OVSegInferencer.

    python demo/image_demo.py INPUT MODEL [WEIGHTS] [--vocabulary "a,b,c" | FILE]
                              [--out-dir demo_out] [--batch-size 4] [--score-maps]
                              [--proposals] [--top-k 3] [--max-proposals 16] [--opacity 0.5]
                              [--device cpu] [--cfg-options model.test_cfg.mode=slide]

INPUT is an image, a folder of images or a video file. MODEL is a model-zoo name
(``python -c "from ovseg.apis import list_models; print(list_models())"``) or a config file;
WEIGHTS a checkpoint or weights name (default: the zoo entry's; for a config, the config's
``pretrained`` / ``init_cfg`` weights, as ``tools/test.py CONFIG``). Writes, under
``--out-dir``, per image ``preds/<stem>.png`` (label map), ``preds/<stem>.json`` (classes,
per-class scores, size) and ``vis/<stem>.png`` (overlay with a legend); ``--score-maps``
(DenseCLIP) adds ``vis/<stem>_scores.png``, one pixel-text score map per class;
``--proposals`` (two-stage models) adds ``vis/<stem>_proposals.png``, one tile per mask proposal
with its ``--top-k`` classes. Without ``--vocabulary`` the classes are the model's own.
"""
import argparse
import os.path as osp
import sys
import warnings

from mmengine.config import DictAction

from ovseg.apis.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('input', help='image file, folder of images or video file')
    parser.add_argument('model', help='model-zoo name or config file')
    parser.add_argument('weights', nargs='?', help='checkpoint file or weights name (default: '
                        "the zoo entry's, or the config's pretrained parts)")
    parser.add_argument('--vocabulary', help='"a,b,c", or a .txt/.json file (one class per '
                        'line; comma-separated synonyms within a line)')
    parser.add_argument('--out-dir', default='demo_out', help='folder of the outputs')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--score-maps', action='store_true',
                        help='DenseCLIP: also draw the per-class pixel-text score maps')
    parser.add_argument('--proposals', action='store_true',
                        help='two-stage models: also draw every mask proposal and its classes')
    parser.add_argument('--top-k', type=int, default=3, help='classes per proposal tile')
    parser.add_argument('--max-proposals', type=int, default=16,
                        help='proposal tiles, best-scoring first')
    parser.add_argument('--opacity', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value (mmengine syntax)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    from ovseg.apis import OVSegInferencer
    args = parse_args(argv)
    warnings.filterwarnings('ignore', message='skipped ')  # each one is printed below
    inferencer = OVSegInferencer(args.model, args.weights, device=args.device,
                                 cfg_options=args.cfg_options)
    if args.weights is None and osp.isfile(args.model):
        print("[demo] no weights: weights from init_weights (the config's pretrained parts), "
              'classes from ' + ('--vocabulary' if args.vocabulary is not None
                                 else "the config's test dataset"))
    result = inferencer(args.input, vocabulary=args.vocabulary, batch_size=args.batch_size,
                        out_dir=args.out_dir, score_maps=args.score_maps,
                        proposals=args.proposals, top_k=args.top_k,
                        max_proposals=args.max_proposals, opacity=args.opacity)
    for error in result['errors']:
        print(f'[demo] skipped: {error["error"]}', file=sys.stderr)
    print(f'[demo] {len(result["predictions"])} image(s) segmented into {args.out_dir}/preds '
          f'and {args.out_dir}/vis')
    return result


if __name__ == '__main__':
    run_cli(main)
