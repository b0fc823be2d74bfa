"""ovseg datasets; importing this package registers them (``custom_imports=['ovseg.datasets']``)."""
from .synthworld import (SynthWorldAttributeDataset, SynthWorldCaptionDataset,
                         SynthWorldDetDataset, SynthWorldSegDataset,
                         SynthWorldTextRetrievalDataset, SynthWorldWordReadingDataset)

__all__ = [
    'SynthWorldAttributeDataset', 'SynthWorldCaptionDataset', 'SynthWorldDetDataset',
    'SynthWorldSegDataset', 'SynthWorldTextRetrievalDataset', 'SynthWorldWordReadingDataset'
]
from . import transforms  # noqa: F401,E402
from . import masked_regions  # noqa: F401,E402  (mask-adapted CLIP region-noun pairs)
from . import open_vocab_benchmarks  # noqa: F401,E402  (A-847, PC-459, PAS-20, 16-bit labels)
# real attribute data: COCO categories, OVAD, VAW (mmdet DATASETS)
from .annotations import AnnotationError  # noqa: E402
from .coco_categories import CocoCategoryDataset, coco_ov_metainfo  # noqa: E402
from .ovad import OVADDataset  # noqa: E402
from .vaw import VAWDataset  # noqa: E402

__all__ += ['AnnotationError', 'CocoCategoryDataset', 'OVADDataset', 'VAWDataset',
            'coco_ov_metainfo']
from . import text_retrieval_benchmarks  # noqa: F401,E402  (IIIT-STR, SVT, Total-Text, CTR)
