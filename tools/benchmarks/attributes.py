"""``tools/benchmark.py attributes``: CLIP-Attr (one CLIP call per box, batched) vs OvarNet (one
image pass) at N boxes per image, images/s and FLOPs side by side in one run.

Both models come from their SynthWorld configs with random weights (``pretrained=None``; speed
does not depend on the weights), the SynthWorld vocabularies (23 attributes, 14 categories,
text embeddings cached as at test), one random 160 px image with N random boxes, batch 1:

- CLIP-Attr: ``predict_boxes(image, boxes)``: N crops (enlarged x1.1, resized, padded to the
  CLIP input size) through the image tower in one batch;
- OvarNet: ``predict`` with the boxes given (``test_cfg.rcnn.boxes_given``): the image through
  the CLIP tower and FPN once, then N RoIs through the RoI head.

Timings are medians of ``--repeats`` interleaved calls (:func:`interleaved_timing`); FLOPs
(mmengine's analyzer, 1 FLOP = 1 multiply-add) count the network, not the cropping.

    python tools/benchmark.py attributes [--boxes 10 50 100] [--repeats 5] [--device cpu]
"""
import argparse
import os
import os.path as osp
import shlex
import sys
from typing import Callable, Dict, Tuple

import torch

from .common import (ROOT, count_flops, device_synchronizer, interleaved_timing,
                     load_config_with_options, register_benchmark, write_report)

CLIP_ATTR_CONFIG = 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py'
OVARNET_CONFIG = 'configs/attributes/ovarnet_synthclip-rn-s_synthworld.py'


def build_models(device: torch.device, options: Tuple[Tuple[str, ...], Tuple[str, ...]] = ((),
                                                                                          ())):
    """CLIP-Attr and OvarNet of the SynthWorld configs, random weights, in eval mode, with the
    SynthWorld attribute and category vocabularies; ``options`` are ``--cfg-options`` strings
    of each config."""
    from mmengine.registry import MODELS, DefaultScope

    from ovseg.datasets.synthworld.vocab import attribute_metainfo
    from ovseg.engine.attribute_vocabulary_hook import attribute_vocabulary
    meta = attribute_metainfo()
    models = []
    for config, opts in zip((CLIP_ATTR_CONFIG, OVARNET_CONFIG), options):
        cfg = load_config_with_options(config, ['model.pretrained=None', *opts])
        if cfg.model.type == 'OvarNet':
            cfg.model.distill = None  # the teacher trains OvarNet; inference does not run it
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmdet')):
            model = MODELS.build(cfg.model).to(device).eval()
        model.set_attribute_vocabulary(attribute_vocabulary(meta))
        model.set_vocabulary(list(meta['classes']))
        models.append(model)
    return models


def random_boxes(num: int, size: int, generator: torch.Generator) -> torch.Tensor:
    """(num, 4) boxes inside a size x size image, sides 12 to size/2 pixels."""
    sides = torch.randint(12, size // 2, (num, 2), generator=generator).float()
    corner = torch.rand(num, 2, generator=generator) * (size - sides)
    return torch.cat([corner, corner + sides], dim=1)


def calls(clip_attr, ovarnet, image: torch.Tensor, boxes: torch.Tensor,
          device: torch.device) -> Dict[str, Callable[[], object]]:
    """One image's box-given prediction by each model, from the uint8 BGR image (3, H, W)."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    ovarnet.test_cfg.rcnn.boxes_given = True
    sync = device_synchronizer(device)
    height, width = image.shape[1:]

    def clip_attr_call():
        with torch.no_grad():
            out = clip_attr.predict_boxes(image.to(device), boxes.to(device))
        sync()
        return out

    def ovarnet_call():
        sample = DetDataSample(metainfo=dict(img_shape=(height, width),
                                             ori_shape=(height, width)))
        sample.gt_instances = InstanceData(bboxes=boxes, labels=torch.zeros(len(boxes)).long())
        with torch.no_grad():
            data = ovarnet.data_preprocessor(dict(inputs=[image], data_samples=[sample]))
            out = ovarnet.predict(data['inputs'], data['data_samples'])
        sync()
        return out

    return {'CLIP-Attr': clip_attr_call, 'OvarNet': ovarnet_call}


def flops(clip_attr, ovarnet, image: torch.Tensor, boxes: torch.Tensor,
          device: torch.device) -> Dict[str, int]:
    """Network FLOPs of one image's box-given prediction by each model (crops excluded)."""
    from ovseg.models.attributes import crop_boxes
    crops = crop_boxes(image.float(), boxes, size=clip_attr.crop_size, scales=1.1).to(device)
    inputs = torch.zeros(1, 3, *image.shape[1:], device=device)
    rois = [boxes.to(device)]
    return {
        'CLIP-Attr': count_flops(clip_attr, lambda x: clip_attr._logits(x, 'max'), (crops,))[''],
        'OvarNet': count_flops(
            ovarnet, lambda x: ovarnet._region_logits(ovarnet.extract_feat(x), rois, 'max')[:2],
            (inputs,))[''],
    }


@register_benchmark('attributes', help='CLIP-Attr (a CLIP call per box) vs OvarNet (one image '
                    'pass): images/s and FLOPs at 10, 50, 100 boxes per image')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--boxes', type=int, nargs='+', default=[10, 50, 100],
                        help='boxes per image; one row each')
    parser.add_argument('--size', type=int, default=160, help='image side (SynthWorld: 160)')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave as is)')
    parser.add_argument('--clip-attr-options', nargs='*', default=[],
                        help='--cfg-options strings of the CLIP-Attr config')
    parser.add_argument('--ovarnet-options', nargs='*', default=[],
                        help='--cfg-options strings of the OvarNet config')
    parser.add_argument('--no-flops', action='store_true', help='skip the FLOP count')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_attributes')

    def run(args) -> None:
        if args.threads:
            torch.set_num_threads(args.threads)
        device = torch.device(args.device)
        work = osp.join(ROOT, args.work_dir)
        os.makedirs(work, exist_ok=True)
        command = 'python tools/benchmark.py ' + shlex.join(sys.argv[1:] or ['attributes'])
        clip_attr, ovarnet = build_models(device, (tuple(args.clip_attr_options),
                                                   tuple(args.ovarnet_options)))
        generator = torch.Generator().manual_seed(0)
        image = torch.randint(0, 256, (3, args.size, args.size), dtype=torch.uint8,
                              generator=generator)
        device_name = (torch.cuda.get_device_name(device) if device.type == 'cuda'
                       else f'CPU, {torch.get_num_threads()} threads')
        results = dict(command=command, device=device_name, size=args.size, rows=[])
        lines = [f'{args.size} px image, batch 1, random weights, {device_name}, median of '
                 f'{args.repeats}; `{command}`', '',
                 '| boxes / image | CLIP-Attr images/s | OvarNet images/s | OvarNet / CLIP-Attr '
                 '| CLIP-Attr GFLOPs | OvarNet GFLOPs |', '|---|---|---|---|---|---|']
        for num in args.boxes:
            boxes = random_boxes(num, args.size, generator)
            seconds = interleaved_timing(calls(clip_attr, ovarnet, image, boxes, device),
                                         repeats=args.repeats)
            count = ({} if args.no_flops
                     else flops(clip_attr, ovarnet, image, boxes, device))
            row = dict(boxes=num, clip_attr_images_per_s=1 / seconds['CLIP-Attr'],
                       ovarnet_images_per_s=1 / seconds['OvarNet'],
                       ratio=seconds['CLIP-Attr'] / seconds['OvarNet'],
                       clip_attr_flops=count.get('CLIP-Attr'), ovarnet_flops=count.get('OvarNet'))
            results['rows'].append(row)
            gflops = ['-' if v is None else f'{v / 1e9:.2f}'
                      for v in (row['clip_attr_flops'], row['ovarnet_flops'])]
            lines.append(f'| {num} | {row["clip_attr_images_per_s"]:.1f} | '
                         f'{row["ovarnet_images_per_s"]:.1f} | {row["ratio"]:.2f}x | '
                         f'{gflops[0]} | {gflops[1]} |')
        write_report(work, '\n'.join(lines), results)
    return run
