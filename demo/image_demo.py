"""Segment images, a folder or a video with any class names: a thin wrapper of OVSegInferencer
(and of OVAttrInferencer for attribute models).

    python demo/image_demo.py INPUT MODEL [WEIGHTS] [--vocabulary "a,b,c" | FILE]
                              [--out-dir demo_out] [--batch-size 4] [--score-maps]
                              [--proposals] [--top-k 3] [--max-proposals 16] [--opacity 0.5]
                              [--device cpu] [--cfg-options model.test_cfg.mode=slide]
                              [--boxes BOXES.json] [--attributes FILE]

INPUT is an image, a folder of images or a video file. MODEL is a model-zoo name
(``python -c "from ovseg.apis import list_models; print(list_models())"``) or a config file;
WEIGHTS a checkpoint or weights name (default: the zoo entry's; for a config, the config's
``pretrained`` / ``init_cfg`` weights, as ``tools/test.py CONFIG``). Writes, under
``--out-dir``, per image ``preds/<stem>.png`` (label map), ``preds/<stem>.json`` (classes,
per-class scores, size) and ``vis/<stem>.png`` (overlay with a legend); ``--score-maps``
(DenseCLIP) adds ``vis/<stem>_scores.png``, one pixel-text score map per class;
``--proposals`` (two-stage models) adds ``vis/<stem>_proposals.png``, one tile per mask proposal
with its ``--top-k`` classes. Without ``--vocabulary`` the classes are the model's own.

Attribute models (task ``attribute`` in the zoo, e.g. ``synthworld-clip-attr-rn-s``, or a
CLIP-Attr config) name the category and the ``--top-k`` attributes, each with its parent type,
of every box in ``--boxes`` (JSON: per image file name a list of [x1, y1, x2, y2], or a list in
input order; or a detector's dumped results, ``.pkl`` of mmdet's ``tools/test.py --out``, boxes
scored below ``--box-score-thr`` dropped; without it, the whole image is one box).
``--attributes`` is a file of
``parent: name`` lines (or VAW-style JSON); default: the model's own. They write
``preds/<stem>.json`` (``objects``: box, category, category_score, attributes) and
``vis/<stem>.png`` (mmdet's DetLocalVisualizer: each box labelled ``<attributes> <category>``).
"""
import argparse
import os.path as osp
import sys
import warnings

from mmengine.config import DictAction

from ovseg.apis.cli import run_cli
from ovseg.utils.errors import InputError


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
    parser.add_argument('--top-k', type=int, default=3, help='classes per proposal tile; '
                        'attribute models: attributes per box')
    parser.add_argument('--max-proposals', type=int, default=16,
                        help='proposal tiles, best-scoring first')
    parser.add_argument('--opacity', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--boxes', help='attribute models: JSON file of boxes per image '
                        '({"name.png": [[x1, y1, x2, y2], ...]} or a list in input order), or '
                        "a detector's dumped results (.pkl of mmdet's tools/test.py --out)")
    parser.add_argument('--box-score-thr', type=float, default=0.3,
                        help='attribute models with a .pkl of --boxes: drop boxes scored lower')
    parser.add_argument('--attributes', help="attribute models: file of 'parent: name' lines "
                        "(or JSON {name: parent}); default: the model's own attributes")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value (mmengine syntax)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    from ovseg.apis import OVSegInferencer
    from ovseg.apis.zoo import model_task
    args = parse_args(argv)
    warnings.filterwarnings('ignore', message='skipped ')  # each one is printed below
    if model_task(args.model) == 'attribute':
        return attributes_main(args)
    if args.boxes or args.attributes:
        raise InputError('--boxes and --attributes need an attribute model (CLIP-Attr)')
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


def attributes_main(args: argparse.Namespace) -> dict:
    """The attribute task: OVAttrInferencer on the given boxes, one line per box printed."""
    from ovseg.apis import OVAttrInferencer
    inferencer = OVAttrInferencer(args.model, args.weights, device=args.device,
                                  cfg_options=args.cfg_options)
    result = inferencer(args.input, vocabulary=args.vocabulary, attributes=args.attributes,
                        boxes=args.boxes, batch_size=args.batch_size, out_dir=args.out_dir,
                        top_k=args.top_k, box_score_thr=args.box_score_thr)
    for error in result['errors']:
        print(f'[demo] skipped: {error["error"]}', file=sys.stderr)
    for pred in result['predictions']:
        for obj in pred['objects']:
            attributes = ', '.join(f"{a['name']} ({a['parent']}) {a['score']:.2f}"
                                   for a in obj['attributes'])
            print(f"[demo] {pred['image_path'] or pred['input_index']} box {obj['box_index']} "
                  f"{obj['box']}: {obj['category']} {obj['category_score']:.2f}; {attributes}")
    print(f'[demo] {len(result["predictions"])} image(s) described into {args.out_dir}/preds '
          f'and {args.out_dir}/vis')
    return result


if __name__ == '__main__':
    run_cli(main)
