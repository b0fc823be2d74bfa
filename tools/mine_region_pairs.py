"""Mine (masked region, noun) pairs from captions for mask-adapted CLIP fine-tuning.

    # caption nouns -> best proposal by CLIP (OVSeg Sec. 3.2); GT masks from label maps
    python tools/mine_region_pairs.py configs/mask_adapted/ovseg_gt-masks_synthclip-vit-s_synthworld-160.py \
        --captions data/synthworld/annotations/captions_train.json \
        --img-dir data/synthworld/img_dir/train --seg-dir data/synthworld/ann_dir/train \
        --out data/synthworld/mask_adapted/train_pairs
    # the same against the class-agnostic proposals of a trained Mask2Former (OVSeg's protocol:
    # regions of classes that no training label map holds can be mined too)
    python tools/mine_region_pairs.py \
        configs/mask_adapted/ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py \
        --checkpoint work_dirs/proposals/pmp_synthworld_vit_regions/none/iter_1000.pth \
        --captions data/synthworld/annotations/captions_train.json \
        --img-dir data/synthworld/img_dir/train --out data/synthworld/mask_adapted/train_pairs_m2f
    # labelled ground-truth regions (class name as the noun), e.g. for zero-shot validation
    python tools/mine_region_pairs.py CONFIG --labelled --captions .../captions_val.json \
        --img-dir .../img_dir/val --seg-dir .../ann_dir/val --out .../val_gt
        [--reduce-zero-label for ADE20K label maps]

The config's ``model`` (a ``TwoStageOVSegmentor``) gives the proposal generator, the CLIP
that scores regions and the text classifier; ``pretrained`` weights are loaded, then
``--checkpoint`` if given. Nouns: the config's test dataset ``class_synonyms``/``classes``
(``--nouns metainfo``), NLTK (``--nouns nltk``), or a vocabulary file.
"""
import argparse
import os
import os.path as osp
import time

import mmcv
import torch
from mmengine.fileio import load
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from ovseg.apis import load_config, load_test_metainfo
from ovseg.apis.cli import add_config_arguments, parse_tool_args, run_cli
from ovseg.compat import load_model_weights
from ovseg.datasets.masked_regions import RegionPairWriter
from ovseg.models.clip import Vocabulary
from ovseg.models.mask_adapted import CaptionRegionMiner, build_noun_index
from ovseg.models.utils import crop_masked_regions, crops_to_pixels, label_map_masks


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_config_arguments(parser, config_help='two-stage segmentor config', cfg_options_help=None)
    parser.add_argument('--captions', help='COCO-format captions JSON (optional with '
                        '--labelled: then every image of --img-dir)')
    parser.add_argument('--img-dir', required=True, help='folder of the images')
    parser.add_argument('--seg-dir', help='label maps (<stem>.png) for GT proposals / --labelled')
    parser.add_argument('--out', required=True, help='output folder (pairs.tsv, crops, masks)')
    parser.add_argument('--checkpoint', help='model checkpoint loaded after the pretrained parts')
    parser.add_argument('--nouns', default='metainfo',
                        help="'metainfo', 'nltk', or a vocabulary file")
    parser.add_argument('--labelled', action='store_true',
                        help='write every GT label region with its class name instead')
    parser.add_argument('--reduce-zero-label', action='store_true',
                        help='label maps store label + 1 with 0 unlabelled (ADE20K)')
    parser.add_argument('--min-score', type=float, help='drop pairs with a lower cosine')
    parser.add_argument('--one-to-one', action='store_true',
                        help='distinct proposals for the distinct nouns of an image (Hungarian '
                        "matching) instead of OVSeg's best proposal per noun")
    parser.add_argument('--max-images', type=int, help='stop after this many images')
    args = parse_tool_args(parser)
    if args.captions is None and not args.labelled:
        parser.error('--captions is needed unless --labelled')
    if args.labelled and not args.seg_dir:
        parser.error('--labelled needs --seg-dir')
    return args


def _records(captions_file, img_dir: str, seg_dir):
    if captions_file is None:
        data = dict(annotations=[], images=[dict(id=osp.splitext(name)[0], file_name=name)
                                            for name in sorted(os.listdir(img_dir))])
    else:
        data = load(captions_file)
    captions = {}
    for ann in data['annotations']:
        captions.setdefault(ann['image_id'], []).append(ann['caption'])
    for image in data['images']:
        stem = osp.splitext(image['file_name'])[0]
        yield dict(image_id=image['id'], img_path=osp.join(img_dir, image['file_name']),
                   seg_path=osp.join(seg_dir, stem + '.png') if seg_dir else None,
                   captions=captions.get(image['id'], []))


def _labelled_pairs(image, label_map, names, *, size: int):
    masks, labels = label_map_masks(label_map)
    crops = crop_masked_regions(image, masks.float(), size=size, mask_threshold=0.5)
    pixels = crops_to_pixels(crops.crops)
    return [dict(noun=names[int(label)], category=names[int(label)], index=int(label), score=1.0,
                 crop=pixels[i].permute(1, 2, 0).numpy(),
                 mask=(crops.region_masks[i] * 255).to(torch.uint8).numpy())
            for i, label in enumerate(labels)]


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, cfg_options=args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmseg.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_model_weights(model, args.checkpoint)  # strict: a checkpoint of this config
    model.eval()
    metainfo = load_test_metainfo(cfg)
    classes = list(metainfo['classes'])
    vocabulary = Vocabulary.from_metainfo(metainfo)
    if args.nouns == 'metainfo':
        noun_index = build_noun_index(vocabulary)
    elif args.nouns == 'nltk':
        noun_index = None
    else:
        noun_index = build_noun_index(Vocabulary.from_source(args.nouns))
    model.set_vocabulary(vocabulary)
    proposal_text = model.text_classifier()  # (K, D) for generators that classify
    miner = CaptionRegionMiner.from_models(model.mask_classifier, model.text_classifier,
                                           noun_index=noun_index, min_score=args.min_score,
                                           one_to_one=args.one_to_one)
    start, images = time.perf_counter(), 0
    with RegionPairWriter(args.out) as writer, torch.no_grad():
        for record in _records(args.captions, args.img_dir, args.seg_dir):
            if args.max_images is not None and images >= args.max_images:
                break
            image = torch.from_numpy(mmcv.imread(record['img_path'], channel_order='rgb'))
            image = image.permute(2, 0, 1).float()  # (3, H, W) RGB 0-255
            label_map = None
            if record['seg_path']:
                label_map = torch.from_numpy(mmcv.imread(record['seg_path'], flag='unchanged'))
                label_map = label_map.long()
                if args.reduce_zero_label:
                    label_map = torch.where(label_map == 0, 255, label_map - 1)
            if args.labelled:
                pairs = _labelled_pairs(image, label_map, classes, size=miner.crop_size)
            else:
                sample = SegDataSample(metainfo=dict(img_shape=image.shape[-2:],
                                                     ori_shape=image.shape[-2:]))
                if label_map is not None:
                    sample.gt_sem_seg = PixelData(data=label_map[None])
                proposals = model.proposal_generator.predict(image[None], [sample], proposal_text)
                pairs = miner.mine(image, proposals[0].masks, record['captions'])
            writer.write(record['image_id'], pairs)
            images += 1
            if images % 100 == 0:
                print(f'[mine] {images} images, {writer.count} pairs, '
                      f'{time.perf_counter() - start:.0f} s', flush=True)
    print(f'[mine] done: {images} images, {writer.count} pairs in '
          f'{time.perf_counter() - start:.1f} s -> {osp.join(args.out, "pairs.tsv")}')


if __name__ == '__main__':
    run_cli(main)
