"""ovseg datasets; importing this package registers them (``custom_imports=['ovseg.datasets']``)."""
from .synthworld import (SynthWorldAttributeDataset, SynthWorldCaptionDataset,
                         SynthWorldDetDataset, SynthWorldSegDataset,
                         SynthWorldTextRetrievalDataset)

__all__ = [
    'SynthWorldAttributeDataset', 'SynthWorldCaptionDataset', 'SynthWorldDetDataset',
    'SynthWorldSegDataset', 'SynthWorldTextRetrievalDataset'
]
from . import transforms  # noqa: F401,E402
from . import masked_regions  # noqa: F401,E402  (mask-adapted CLIP region-noun pairs)
from . import open_vocab_benchmarks  # noqa: F401,E402  (A-847, PC-459, PAS-20, 16-bit labels)
from . import text_retrieval_benchmarks  # noqa: F401,E402  (IIIT-STR, SVT, Total-Text, CTR)
