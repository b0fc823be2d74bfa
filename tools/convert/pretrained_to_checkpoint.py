"""Save a model whose weights all come from its ``pretrained`` parts as a checkpoint.

    python tools/convert/pretrained_to_checkpoint.py CONFIG OUT.pth [--checkpoint PART.pth
        [--include proposal_generator. ...]] [--cfg-options k=v ...]

Zero-shot models (e.g. a two-stage segmentor with ground-truth or SAM proposals and a
pretrained CLIP) need no checkpoint: ``tools/test.py CONFIG`` without CKPT evaluates them. This
script is for a checkpoint that ``demo/image_demo.py`` can read, or one with a trained part: it
builds the config's model, runs ``init_weights()`` (which loads every ``pretrained``) and writes
``{'meta': ..., 'state_dict': ...}`` (``meta.dataset_meta``: the test set's metainfo, which
``mmseg.apis.init_model`` and ``demo/image_demo.py`` read). ``--checkpoint`` loads a trained
part on top (e.g. the stage-1 proposal generator of a two-stage segmentor: its
``proposal_generator.*`` and ``text_classifier.*`` keys), leaving the weights it lacks as
``init_weights`` set them; ``--include`` keeps only the keys with the given prefixes (e.g.
``proposal_generator.`` when stage 1 was trained with another text tower than the CLIP named in
the config -- OVSeg's two stages share one frozen text encoder).
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import DictAction
from mmengine.registry import init_default_scope

from ovseg.apis import load_config, load_test_metainfo
from ovseg.apis.cli import run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('out')
    parser.add_argument('--checkpoint', help='trained weights loaded on top (non-strict)')
    parser.add_argument('--include', nargs='+', metavar='PREFIX',
                        help='load only the --checkpoint keys starting with these prefixes')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = load_config(args.config, cfg_options=args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmseg.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        from ovseg.compat import load_model_weights, read_state_dict
        part = read_state_dict(args.checkpoint)
        if args.include:
            part = {k: v for k, v in part.items() if k.startswith(tuple(args.include))}
        load_model_weights(model, part, strict=False, name=args.checkpoint)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    state_dict = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    # the test set's class names and palette, as a Runner checkpoint stores them
    # (mmseg.apis.init_model and the demo read meta.dataset_meta)
    meta = dict(config=osp.basename(args.config))
    if cfg.get('test_dataloader'):
        meta['dataset_meta'] = load_test_metainfo(cfg)
    torch.save(dict(meta=meta, state_dict=state_dict), args.out)
    print(f'wrote {len(state_dict)} tensors of {type(model).__name__} to {args.out}')


if __name__ == '__main__':
    run_cli(main)
