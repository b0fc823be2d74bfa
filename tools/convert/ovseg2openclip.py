"""Convert OVSeg's released mask-adapted CLIP to an ovseg/open_clip checkpoint.

    python tools/convert/ovseg2openclip.py ovseg_swinbase_vitL14_ft_mpt.pth ovseg_clip_vit-l14.pt \
        [--model-name ViT-L-14-quickgelu]

Reads the detectron2 checkpoint weights-only, keeps ``clip_adapter.clip_model.*`` (OpenAI
layout = open_clip's) with ``visual.mask_embedding``, and writes
``{'state_dict': ..., 'model_name': ...}``: name it as ``pretrained`` of ``MaskPromptViT``
and ``OVCLIPTextEncoder``. The MaskFormer weights are not converted here. OVSeg's weights
are CC-BY-NC 4.0 (non-commercial).
"""
import argparse

from ovseg.apis.cli import run_cli
from ovseg.models.mask_adapted import convert_ovseg_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='OVSeg checkpoint (.pth) or CLIP state dict in its layout')
    parser.add_argument('dst', help='output file')
    parser.add_argument('--model-name', help='open_clip architecture (inferred by default)')
    args = parser.parse_args()
    name = convert_ovseg_checkpoint(args.src, args.dst, model_name=args.model_name)
    print(f'wrote {args.dst} (open_clip {name}); use it as pretrained with model_name={name!r}')


if __name__ == '__main__':
    run_cli(main)
