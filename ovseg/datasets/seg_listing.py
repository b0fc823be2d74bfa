"""A check that mmseg's directory listing did not silently drop images whose labels exist."""
import os.path as osp
from typing import List

from mmengine import fileio


def check_label_maps_have_images(dataset, data_list: List[dict]) -> List[dict]:
    """Raise if a label map in ``seg_map_path`` has no image in ``img_path``.

    mmseg's ``BaseSegDataset.load_data_list`` (without ``ann_file``) lists the image folder
    and derives each label map from it, so a missing image drops its sample without a word
    and a test reports metrics on fewer images. mmseg has no such check; the label folder
    says which samples the split has.

    Args:
        dataset (BaseSegDataset): the dataset whose ``data_prefix`` and suffixes are used.
        data_list (list[dict]): what ``BaseSegDataset.load_data_list`` returned.

    Returns:
        list[dict]: ``data_list`` unchanged.

    Raises:
        FileNotFoundError: naming the first missing image and its label map.
    """
    img_dir = dataset.data_prefix.get('img_path', None)
    ann_dir = dataset.data_prefix.get('seg_map_path', None)
    if dataset.ann_file or not img_dir or not ann_dir or not osp.isdir(ann_dir):
        return data_list
    images = {info['img_path'] for info in data_list}
    suffix = dataset.seg_map_suffix
    for seg_map in sorted(fileio.list_dir_or_file(ann_dir, list_dir=False, suffix=suffix,
                                                  recursive=True)):
        image = osp.join(img_dir, seg_map[:-len(suffix)] + dataset.img_suffix)
        if image not in images:
            raise FileNotFoundError(f'image {image} does not exist (its label map '
                                    f'{osp.join(ann_dir, seg_map)} does)')
    return data_list
