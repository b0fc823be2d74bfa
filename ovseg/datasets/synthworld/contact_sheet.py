"""A contact sheet of SynthWorld samples, read back from the written files, for people to look at.

:func:`make_contact_sheet` writes ``contact_sheet.png`` (RGB) into the dataset root. Each
sample shows the image, its semantic map blended over it with numbered instance boxes and word
polygons, and a text panel with the attributes of each numbered object, the words, the
classes present (with palette swatches) and the first caption.
"""
import json
import os.path as osp
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .vocab import ATTRIBUTE_PARENT, SYNTHWORLD_SEG_CLASSES, seg_metainfo

_PANEL_WIDTH = 400
_LINE = 16


def _read(out_dir: str, kind: str, split: str) -> dict:
    with open(osp.join(out_dir, 'annotations', f'{kind}_{split}.json'), encoding='utf-8') as f:
        return json.load(f)


def _describe(instance: dict) -> str:
    """``'large hollow red striped star'`` from the positive attributes."""
    by_type = {ATTRIBUTE_PARENT[a]: a for a in instance['positive_attributes']}
    parts = [by_type.get('size'), by_type.get('fill'), by_type.get('color'),
             by_type.get('pattern')]
    return ' '.join(p for p in parts + [instance['object_name']] if p)


def _sample(out_dir, split, image, boxes, words, caption, scale, font):
    """Render one sample tile: image, annotated overlay, text panel."""
    rgb = np.asarray(Image.open(osp.join(out_dir, 'img_dir', split, image['file_name'])))
    labels = np.asarray(Image.open(osp.join(out_dir, 'ann_dir', split, image['file_name'])))
    meta = seg_metainfo()
    palette = np.zeros((256, 3), dtype=np.float32)
    palette[:len(SYNTHWORLD_SEG_CLASSES)] = meta['palette']
    overlay = (0.35 * rgb + 0.65 * palette[labels]).astype(np.uint8)
    size = (rgb.shape[1] * scale, rgb.shape[0] * scale)
    left = Image.fromarray(rgb).resize(size, Image.NEAREST)
    middle = Image.fromarray(overlay).resize(size, Image.NEAREST)
    draw = ImageDraw.Draw(middle)
    lines = []
    for k, inst in enumerate(boxes, start=1):
        x, y, w, h = (v * scale for v in inst['box'])
        draw.rectangle([x, y, x + w - 1, y + h - 1], outline=(255, 255, 255), width=2)
        draw.text((x + 3, y + 1), str(k), font=font, fill=(255, 255, 255),
                  stroke_width=2, stroke_fill=(0, 0, 0))
        lines.append(f'{k}: {_describe(inst)}')
    for word in words:
        draw.polygon([(p * scale) for p in word['polygon']], outline=(255, 255, 0), width=2)
    lines.append('words: ' + (', '.join(f'"{w["text"]}"' for w in words) or '-'))
    lines += textwrap.wrap('caption: ' + caption, width=52)
    present = [i for i in np.unique(labels) if i != 255]
    lines.append('classes (swatch = overlay colour):')
    swatches = {len(lines) + k: tuple(meta['palette'][i]) for k, i in enumerate(present)}
    lines += [SYNTHWORLD_SEG_CLASSES[i] + ('' if meta['seen'][i] else ' (unseen)')
              for i in present]
    height = max(size[1], _LINE * len(lines) + 8)
    tile = Image.new('RGB', (2 * size[0] + _PANEL_WIDTH + 16, height + 8), (255, 255, 255))
    tile.paste(left, (0, 0))
    tile.paste(middle, (size[0] + 4, 0))
    draw = ImageDraw.Draw(tile)
    x0 = 2 * size[0] + 12
    for i, line in enumerate(lines):
        indent = 28 if i in swatches else 0
        draw.text((x0 + indent, 4 + _LINE * i), line, font=font, fill=(0, 0, 0))
        if i in swatches:
            draw.rectangle([x0 + 2, 6 + _LINE * i, x0 + 22, 6 + _LINE * i + 11],
                           fill=swatches[i])
    return tile


def make_contact_sheet(out_dir: str, *, split: str = 'val', num: int = 8, scale: int = 2,
                       columns: int = 2) -> str:
    """Draw the first ``num`` images of ``split`` with their annotations into one PNG.

    Args:
        out_dir (str): A generated SynthWorld root.
        split (str): Split to show. Defaults to 'val' (where every class is labelled).
        num (int): Number of samples. Defaults to 8.
        scale (int): Pixel magnification of the images. Defaults to 2.
        columns (int): Samples per row. Defaults to 2.

    Returns:
        str: Path of the written ``contact_sheet.png``.
    """
    font = ImageFont.load_default(size=13)
    attributes, text, captions = (_read(out_dir, k, split)
                                  for k in ('attributes', 'text', 'captions'))
    first_caption = {}
    for ann in captions['annotations']:
        first_caption.setdefault(ann['image_id'], ann['caption'])
    tiles = []
    for image in text['images'][:num]:
        boxes = [i for i in attributes['instances'] if i['image_id'] == image['id']]
        tiles.append(_sample(out_dir, split, image, boxes, image['words'],
                             first_caption.get(image['id'], ''), scale, font))
    width, height = max(t.width for t in tiles), max(t.height for t in tiles)
    rows = -(-len(tiles) // columns)
    sheet = Image.new('RGB', (columns * width, rows * height), (255, 255, 255))
    for k, tile in enumerate(tiles):
        sheet.paste(tile, ((k % columns) * width, (k // columns) * height))
    path = osp.join(out_dir, 'contact_sheet.png')
    sheet.save(path, format='PNG')
    return path
