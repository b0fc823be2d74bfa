"""SynthWorld: a procedurally generated open-vocabulary dataset (generator, formats, loaders).

Generate with ``tools/synthworld.py`` or :func:`generate`; load with the registered datasets.
The vocabulary and the fixed seen/unseen split live in :mod:`.vocab`.
"""
from .attribute_dataset import SynthWorldAttributeDataset
from .caption_dataset import SynthWorldCaptionDataset
from .contact_sheet import make_contact_sheet
from .det_dataset import SynthWorldDetDataset
from .generate import generate
from .render import SceneConfig, render_closeup, render_scene, sample_sign_style
from .seg_dataset import SynthWorldSegDataset
from .text_dataset import SynthWorldTextRetrievalDataset, SynthWorldWordReadingDataset
from .vocab import (ATTRIBUTE_PARENT, ATTRIBUTE_TYPES, SYNTHWORLD_ATTRIBUTES,
                    SYNTHWORLD_BACKGROUNDS, SYNTHWORLD_SEG_CLASSES, SYNTHWORLD_STUFF,
                    SYNTHWORLD_SYNONYMS, SYNTHWORLD_THINGS, SYNTHWORLD_WORDS, UNSEEN_ATTRIBUTES,
                    UNSEEN_THINGS, attribute_metainfo, seg_metainfo, thing_metainfo)

__all__ = [
    'ATTRIBUTE_PARENT', 'ATTRIBUTE_TYPES', 'SYNTHWORLD_ATTRIBUTES', 'SYNTHWORLD_BACKGROUNDS',
    'SYNTHWORLD_SEG_CLASSES', 'SYNTHWORLD_STUFF', 'SYNTHWORLD_SYNONYMS', 'SYNTHWORLD_THINGS',
    'SYNTHWORLD_WORDS', 'UNSEEN_ATTRIBUTES', 'UNSEEN_THINGS', 'SceneConfig',
    'SynthWorldAttributeDataset', 'SynthWorldCaptionDataset', 'SynthWorldDetDataset',
    'SynthWorldSegDataset', 'SynthWorldTextRetrievalDataset', 'SynthWorldWordReadingDataset',
    'attribute_metainfo', 'generate',
    'make_contact_sheet', 'render_closeup', 'render_scene', 'sample_sign_style', 'seg_metainfo',
    'thing_metainfo'
]
