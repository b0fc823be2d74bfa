"""Base of the mmseg segmentors that classify mask proposals against a CLIP vocabulary."""
from typing import List, Optional, Sequence, Union

from mmseg.models.segmentors import BaseSegmentor


class ProposalSegmentorBase(BaseSegmentor):
    """What the proposal-only and the two-stage segmentors share, so neither copies the other.

    Both hold a ``proposal_generator`` (stage 1) and a CLIP ``text_classifier`` whose K class
    embeddings (K, D) score the proposals, and both compose the semantic map with
    :func:`~ovseg.models.utils.compose_semantic`. This base owns the parts that are the same:
    the ``pretrained`` guard (each part names its own weights), ``align_corners`` and the
    vocabulary (:meth:`set_vocabulary`, which the ``VocabularyHook`` calls with each dataset's
    class names). Subclasses build ``proposal_generator`` and ``text_classifier`` themselves,
    in their own order (the order decides the random initialisation).

    Args:
        data_preprocessor (dict, optional): mmseg ``SegDataPreProcessor`` config.
        init_cfg (dict, optional): mmengine init config.
        pretrained (str, optional): mmseg's whole-model weights key, which
            ``mmseg.apis.init_model`` sets to None; must be None.
        weights_from (str): where the parts' weights are named instead, for the error.
    """

    def __init__(self, *, data_preprocessor: Optional[dict], init_cfg: Optional[dict],
                 pretrained: Optional[str], weights_from: str) -> None:
        if pretrained is not None:
            raise ValueError(f'model.pretrained={pretrained!r}: {type(self).__name__} loads '
                             f'weights per part ({weights_from}, load_from)')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.align_corners = False

    def set_vocabulary(self, names: Union[str, Sequence[str]]) -> None:
        """Set the K class names (comma-separated synonyms allowed) to segment; a generator
        with its own ``set_vocabulary`` is told too."""
        self.text_classifier.set_vocabulary(names)
        if hasattr(self.proposal_generator, 'set_vocabulary'):
            self.proposal_generator.set_vocabulary(names)

    @property
    def vocabulary(self) -> Optional[List[str]]:
        """The current class names (None before :meth:`set_vocabulary`)."""
        return self.text_classifier.vocabulary

    @property
    def num_vocabulary(self) -> int:
        """K, the size of the current vocabulary."""
        if self.vocabulary is None:
            raise RuntimeError('No vocabulary: call set_vocabulary(names) first (the '
                               'VocabularyHook does it from the dataset metainfo).')
        return len(self.vocabulary)
