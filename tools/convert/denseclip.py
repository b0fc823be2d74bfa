"""Convert a checkpoint released by the original DenseCLIP code into ovseg's layout.

    python tools/convert/denseclip.py SRC DST [--config CONFIG] [--allow-unsafe-checkpoint]

SRC: a segmentation (mmseg 0.x) or detection (mmdet 2.x) checkpoint of
raoyongming/DenseCLIP. DST: an mmengine-loadable checkpoint for the matching config in
configs/denseclip/, e.g. ``python tools/test.py CONFIG DST``. With ``--config`` the result is
loaded strictly into that config's model (built with pretrained weights off) and any
mismatch is reported. ViT checkpoints need no extra option: the original's second
class-embedding addition is folded into the positional embedding (so keep the config's
``class_embedding_twice=False``).
"""
import argparse
import os

import torch

from ovseg.apis.cli import add_unsafe_checkpoint_argument, parse_tool_args, run_cli
from ovseg.compat import (CheckpointMismatchError, load_model_weights, read_checkpoint,
                          read_state_dict)
from ovseg.compat.converters import convert_checkpoint
from ovseg.models.denseclip.convert import is_vit_checkpoint


def _check_against_config(state_dict: dict, config: str, vit: bool) -> None:
    from mmengine.registry import MODELS, init_default_scope

    from ovseg.apis import load_config
    import ovseg.models  # noqa: F401
    cfg = load_config(config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    for part in ('backbone', 'text_encoder'):
        if part in cfg.model:
            cfg.model[part].pretrained = None
    if vit and cfg.model.backbone.get('class_embedding_twice', False):
        raise SystemExit(f'error: {config} sets backbone.class_embedding_twice=True; the '
                         'converted ViT already holds the second class embedding in its '
                         'positional embedding, so evaluate it with False')
    model = MODELS.build(cfg.model)
    try:
        load_model_weights(model, state_dict, name='the converted weights')
    except CheckpointMismatchError as err:
        raise SystemExit(f'error: {config}: {err}')
    print(f'[denseclip] all {len(state_dict)} tensors fit {config}')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='original DenseCLIP checkpoint')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--config', help='ovseg config to check the result against')
    add_unsafe_checkpoint_argument(
        parser, help='load a trusted SRC that needs code execution to unpickle')
    args = parse_tool_args(parser, argv)
    checkpoint = read_checkpoint(args.src)
    state_dict = read_state_dict(checkpoint, name=args.src)
    try:
        converted = convert_checkpoint(state_dict, converter='denseclip', name=args.src)
    except ValueError as err:
        raise SystemExit(f'error: {err}')
    vit = is_vit_checkpoint(state_dict)
    if args.config:
        _check_against_config(converted, args.config, vit)
    meta = dict(converted_from=os.path.basename(args.src), denseclip_vit=vit,
                class_embedding_folded=vit)
    meta_in = (checkpoint.get('meta') or {}) if isinstance(checkpoint, dict) else {}
    classes = meta_in.get('CLASSES')
    if classes:
        meta['dataset_meta'] = dict(classes=tuple(classes))
    torch.save(dict(meta=meta, state_dict=converted), args.dst)
    print(f'[denseclip] wrote {args.dst}: {len(converted)} tensors')


if __name__ == '__main__':
    run_cli(main)
