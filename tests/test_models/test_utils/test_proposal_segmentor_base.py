"""The base both proposal-classifying segmentors share: pretrained guard and vocabulary."""
import pytest
import torch

import ovseg.models  # noqa: F401  (registers the modules)
from ovseg.models.mask_adapted import TwoStageOVSegmentor
from ovseg.models.proposals import ProposalSegmentor
from ovseg.models.utils import ProposalSegmentorBase

_TEXT = dict(type='TextClassifier', templates='single',
             text_encoder=dict(type='OVCLIPTextEncoder', model_name='ovseg-tiny-vit'))


class _Generator(torch.nn.Module):
    """A proposal generator with its own vocabulary, as text-prompted generators have."""

    def __init__(self):
        super().__init__()
        self.names = None

    def set_vocabulary(self, names):
        self.names = names


def test_both_segmentors_share_the_base():
    assert issubclass(ProposalSegmentor, ProposalSegmentorBase)
    assert issubclass(TwoStageOVSegmentor, ProposalSegmentorBase)


@pytest.mark.parametrize('cls', [ProposalSegmentor, TwoStageOVSegmentor])
def test_whole_model_pretrained_is_refused_by_name(cls):
    extra = dict(mask_classifier=dict()) if cls is TwoStageOVSegmentor else {}
    with pytest.raises(ValueError, match=f'{cls.__name__} loads weights per part'):
        cls(proposal_generator=dict(type='GTMaskProposals'), text_classifier=_TEXT,
            pretrained='x.pth', **extra)


def test_vocabulary_goes_to_text_classifier_and_generator():
    model = ProposalSegmentor(proposal_generator=dict(type='GTMaskProposals'),
                              text_classifier=_TEXT)
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model.num_vocabulary
    model.proposal_generator = _Generator()
    model.set_vocabulary(['cat', 'dog, puppy'])
    assert model.num_vocabulary == 2 and model.vocabulary == model.text_classifier.vocabulary
    assert model.proposal_generator.names == ['cat', 'dog, puppy']
