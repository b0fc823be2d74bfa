"""mmseg dataset of SynthWorld label maps: things and stuff in one semantic label space."""
from typing import List

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..seg_listing import check_label_maps_have_images
from .vocab import seg_metainfo


@DATASETS.register_module()
class SynthWorldSegDataset(BaseSegDataset):
    """SynthWorld semantic segmentation (``img_dir/<split>`` + ``ann_dir/<split>``, both PNG).

    Every label map must have its image (a missing image is an error, not a skipped sample).
    Label ``i`` of a map is ``METAINFO['classes'][i]`` (14 things, then 7 stuff); 255 is ignore,
    which in ``train`` also covers the unseen things. Metainfo adds ``class_synonyms``
    (comma-separated strings), ``seen`` (bool per class), ``thing_classes`` and ``stuff_classes``.

    Args:
        img_suffix (str): Image suffix. Defaults to '.png'.
        seg_map_suffix (str): Label map suffix. Defaults to '.png'.
        reduce_zero_label (bool): Must stay False: label 0 is the thing ``circle``.
            Defaults to False.
        **kwargs: ``data_root``, ``data_prefix=dict(img_path=..., seg_map_path=...)``,
            ``pipeline`` and the rest of :class:`mmseg.datasets.BaseSegDataset`.

    Examples:
        >>> ds = SynthWorldSegDataset(lazy_init=True)
        >>> len(ds.metainfo['classes']), ds.metainfo['seen'][0]
        (21, True)
    """
    METAINFO = seg_metainfo()

    def __init__(self, *, img_suffix: str = '.png', seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False, **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=reduce_zero_label, **kwargs)

    def load_data_list(self) -> List[dict]:
        """mmseg's listing of ``img_dir``, checked against the label maps."""
        return check_label_maps_have_images(self, super().load_data_list())
