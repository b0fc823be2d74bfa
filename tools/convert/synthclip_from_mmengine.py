"""Extract open_clip weights from an mmengine checkpoint of ContrastiveCLIP.

    python tools/convert/synthclip_from_mmengine.py work_dirs/RUN/iter_N.pth OUT.pt \
        [--model-name synthworld-vit-s]

OUT.pt is what ExportCLIPHook writes at the end of training: name it as ``pretrained`` in any
config, or load it with ``open_clip.create_model(model_name, pretrained='OUT.pt')``.
"""
import argparse

from ovseg.apis.cli import run_cli
from ovseg.compat import read_checkpoint, read_config_value, read_state_dict
from ovseg.compat.converters import convert_checkpoint
from ovseg.models.pretraining import save_clip_checkpoint

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='mmengine checkpoint (iter_N.pth)')
    parser.add_argument('out', help='open_clip checkpoint to write')
    parser.add_argument('--model-name', help='open_clip architecture; defaults to the one in '
                        'the checkpoint meta (cfg), else synthworld-vit-s')
    args = parser.parse_args()
    checkpoint = read_checkpoint(args.checkpoint)
    model_name = args.model_name or _model_name_from_meta(checkpoint) or 'synthworld-vit-s'
    state_dict = convert_checkpoint(read_state_dict(checkpoint, name=args.checkpoint),
                                    converter='synthclip-mmengine', name=args.checkpoint)
    save_clip_checkpoint(state_dict, args.out, model_name=model_name)
    print(f'wrote {args.out} ({model_name}, {len(state_dict)} tensors)')


def _model_name_from_meta(checkpoint: dict):
    """``model.model_name`` of the config text mmengine stores in ``meta['cfg']``.

    The text is Python source from the file: it is parsed, never executed
    (``Config.fromstring`` would run it).
    """
    cfg_text = checkpoint.get('meta', {}).get('cfg')
    if not isinstance(cfg_text, str) or not cfg_text:
        return None
    name = read_config_value(cfg_text, 'model.model_name')
    return name if isinstance(name, str) else None


if __name__ == '__main__':
    run_cli(main)
