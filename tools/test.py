"""Evaluate an ovseg checkpoint with MMEngine's Runner.

    python tools/test.py CONFIG [CKPT] [--work-dir DIR] [--show-dir DIR]
                         [--vocabulary FILE_OR_LIST] [--out RESULTS.pkl]
                         [--cfg-options k=v ...]

``--out`` dumps the predictions as mmdet's ``tools/test.py --out`` does (mmdet's
``DumpDetResults``: per image its metainfo and ``pred_instances``); the boxes of such a file
are the proposals of CLIP-Attr's box-free configs (``ovseg.apis.read_detection_results``).

Without CKPT the model's weights come from ``init_weights`` as at the start of training: the
config's ``pretrained`` parts (a zero-shot CLIP head needs nothing else).
"""
import argparse
import os.path as osp

from ovseg.apis import build_runner, load_config, shutdown_distributed
from ovseg.apis.cli import (add_config_arguments, add_unsafe_checkpoint_argument,
                            parse_tool_args, run_cli)
from ovseg.utils import InputError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test an ovseg model')
    add_config_arguments(parser, work_dir_help='folder for the evaluation logs', launcher=True)
    parser.add_argument('checkpoint', nargs='?', help='checkpoint file; without it the '
                        "weights come from init_weights (the config's pretrained parts)")
    parser.add_argument('--show-dir', help='write prediction overlays to this folder '
                        '(inside the work dir, as in mmseg/mmdet)')
    parser.add_argument('--vocabulary', help='class names for the test set, one per dataset '
                        'class: a .txt/.json file or a comma-separated list')
    parser.add_argument('--out', help='dump the predictions to this .pkl file (mmdet\'s '
                        'DumpDetResults, as mmdet\'s tools/test.py --out)')
    add_unsafe_checkpoint_argument(parser)
    return parse_tool_args(parser)


def _enable_visualization(cfg, show_dir: str) -> None:
    """Turn on the config's mmseg/mmdet visualization hook, writing under ``show_dir``."""
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None:
        raise InputError(f'--show-dir needs a "visualization" entry in default_hooks of '
                         f'the config; {cfg.filename} has none.')
    hook.update(draw=True, interval=1)
    if hook['type'].endswith('DetVisualizationHook'):
        hook['test_out_dir'] = show_dir
    else:
        cfg.visualizer.save_dir = show_dir


def _dump_results(cfg, out: str) -> None:
    """Append mmdet's ``DumpDetResults`` to the test evaluator(s), as mmdet's --out does."""
    if not out.endswith(('.pkl', '.pickle')):
        raise InputError(f'--out {out}: the dump file must end with .pkl or .pickle.')
    dump = dict(type='mmdet.DumpDetResults', out_file_path=out)
    evaluator = cfg.get('test_evaluator')
    if evaluator is None:
        cfg.test_evaluator = [dump]
    elif isinstance(evaluator, (list, tuple)):
        cfg.test_evaluator = [*evaluator, dump]
    elif 'metrics' in evaluator:  # an Evaluator dict: dict(type=..., metrics=[...])
        metrics = evaluator['metrics']
        metrics = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
        evaluator['metrics'] = [*metrics, dump]
    else:  # a single metric
        cfg.test_evaluator = [evaluator, dump]


def _set_test_vocabulary(cfg, source: str) -> None:
    from mmengine.registry import HOOKS

    import ovseg.engine  # noqa: F401  (registers the vocabulary hooks)
    from ovseg.engine import VocabularyHook
    from ovseg.models.clip.vocabulary import Vocabulary
    names = list(Vocabulary.from_source(source).names)  # plain names: the config holds data
    # the hook or a subclass of it (AttributeVocabularyHook)
    hooks = [h for h in cfg.get('custom_hooks', [])
             if isinstance(HOOKS.get(h['type']), type)
             and issubclass(HOOKS.get(h['type']), VocabularyHook)]
    if not hooks:
        raise InputError(f'--vocabulary needs a VocabularyHook in custom_hooks of {cfg.filename}.')
    hooks[0]['test_vocabulary'] = names


def main() -> None:
    args = parse_args()
    if args.checkpoint is not None and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint {args.checkpoint} does not exist.')
    cfg = load_config(args.config, cfg_options=args.cfg_options,
                      work_dir=args.work_dir, launcher=args.launcher)
    cfg.load_from = args.checkpoint
    if args.show_dir:
        _enable_visualization(cfg, args.show_dir)
    if args.vocabulary is not None:
        _set_test_vocabulary(cfg, args.vocabulary)
    if args.out is not None:
        _dump_results(cfg, args.out)
    runner = build_runner(cfg)
    if args.checkpoint is None:
        runner.logger.info('No checkpoint given: initialising the weights with init_weights '
                           "(the config's pretrained parts), as training does.")
        # what Runner.train() runs before the first iteration (unwraps DDP, syncs ranks)
        runner._init_model_weights()
    runner.test()
    shutdown_distributed()


if __name__ == '__main__':
    run_cli(main)
