"""ovseg.compat.converters: each layout's sentinel keys pick its converter; the rest is an error."""
import pytest
import torch

from ovseg.compat.converters import (CONVERTERS, convert_checkpoint, find_converters,
                                     list_converters, register_converter)
from ovseg.testing import TINY_VIT, build_tiny_clip, load_script

_OVSEG = 'clip_adapter.clip_model.'
_LAYOUTS = ('open_clip', 'sam', 'ovseg-mask-adapted-clip', 'synthclip-mmengine', 'denseclip')


def _open_clip():
    return build_tiny_clip(TINY_VIT).state_dict()


def _sam():
    from ovseg.testing.sam import build_tiny_sam
    return build_tiny_sam().state_dict()


def _ovseg_release():
    """OVSeg's detectron2 layout: CLIP under the adapter prefix, prompts, MaskFormer keys."""
    state = {_OVSEG + k: v for k, v in _open_clip().items()}
    state[_OVSEG + 'visual.mask_embedding'] = torch.zeros(2, 4, 64)
    state['sem_seg_head.predictor.query_embed.weight'] = torch.zeros(5, 8)
    state['clip_adapter.non_object_embedding'] = torch.zeros(1, 32)
    return state


def _synthclip():
    from ovseg.models.pretraining import ContrastiveCLIP
    return ContrastiveCLIP(model_name=TINY_VIT).state_dict()


def _denseclip_original():
    keys = load_script('tests/test_models/test_denseclip/original_keys.py')
    shapes = {**keys.resnet_keys(layers=(1, 1, 1, 1), width=8, output_dim=32,
                                 input_resolution=32),
              **keys.text_encoder_keys(width=64, layers=2, embed_dim=32, context_length=13),
              **keys.prompt_keys(num_contexts=8, token_width=64, text_dim=32),
              'decode_head.conv_seg.weight': (3, 8, 1, 1)}
    return keys.random_state_dict(shapes)


_BUILDERS = {'open_clip': _open_clip, 'sam': _sam, 'ovseg-mask-adapted-clip': _ovseg_release,
             'synthclip-mmengine': _synthclip, 'denseclip': _denseclip_original}


def test_list_converters_lists_every_layout_with_its_target():
    listed = list_converters()
    assert set(_LAYOUTS) <= set(listed)
    assert listed['denseclip'].endswith('(-> ovseg)')
    assert listed['sam'].endswith('(-> sam)')
    assert set(list_converters('open_clip')) == {
        'open_clip', 'ovseg-mask-adapted-clip', 'synthclip-mmengine'}
    assert all(description for description in listed.values())


@pytest.mark.parametrize('layout', _LAYOUTS)
def test_sentinels_pick_exactly_the_layouts_converter(layout):
    assert find_converters(_BUILDERS[layout]()) == [layout]


@pytest.mark.parametrize('layout', ['open_clip', 'ovseg-mask-adapted-clip', 'synthclip-mmengine'])
def test_open_clip_layouts_convert_to_a_loadable_clip(layout):
    from ovseg.models.clip import load_clip_weights
    converted = convert_checkpoint(_BUILDERS[layout](), target='open_clip')
    converted.pop('visual.mask_embedding', None)  # OVSeg's prompts belong to MaskPromptViT
    load_clip_weights(build_tiny_clip(TINY_VIT), converted)  # strict


def test_sam_and_denseclip_convert_to_their_models():
    from ovseg.models.denseclip.convert import convert_denseclip_state_dict
    from ovseg.models.proposals import load_sam_weights
    from ovseg.testing.sam import build_tiny_sam
    load_sam_weights(build_tiny_sam(), convert_checkpoint(_sam(), target='sam'))
    original = _denseclip_original()
    converted = convert_checkpoint(original)
    assert converted.keys() == convert_denseclip_state_dict(original)[0].keys()
    assert 'backbone.visual.layer1.0.conv1.weight' in converted


def test_no_match_names_the_candidates():
    with pytest.raises(ValueError, match=r'run.pth: no converter matches its keys \(first keys: '
                       r"\['head.weight'\]\)\. Candidates: denseclip: original DenseCLIP"):
        convert_checkpoint({'head.weight': torch.zeros(1)}, name='run.pth')
    unknown = {'head.weight': torch.zeros(1)}
    assert convert_checkpoint(unknown, target='open_clip', keep_unknown=True) is unknown


def test_named_converter_must_match():
    with pytest.raises(ValueError, match=r"x.pth is not an original DenseCLIP .* \(the "
                       r"'denseclip' layout\); it looks like \['open_clip'\]"):
        convert_checkpoint(_open_clip(), converter='denseclip', name='x.pth')
    with pytest.raises(KeyError, match="Unknown checkpoint converter 'nope'.*'denseclip'"):
        convert_checkpoint(_open_clip(), converter='nope')


@pytest.fixture
def overlapping_converter():
    """A second layout claiming open_clip's keys, removed after the test."""
    register_converter(name='test-overlap', target='open_clip', description='test layout',
                       matches=lambda keys: 'token_embedding.weight' in keys)
    yield 'test-overlap'
    CONVERTERS.module_dict.pop('test-overlap')


def test_several_matches_are_an_error_naming_them(overlapping_converter):
    with pytest.raises(ValueError, match=r'several converters match .* Candidates: open_clip: '
                       r'.*; test-overlap: test layout'):
        convert_checkpoint(_open_clip())
    assert convert_checkpoint(_open_clip(), converter='open_clip').keys() == _open_clip().keys()


def test_clip_loaders_convert_by_sentinels(tmp_path):
    """``pretrained`` may name an OVSeg release or a SynthCLIP run's iter_N.pth directly."""
    from ovseg.models.clip import CLIPTextEncoder, create_clip
    release, run = _ovseg_release(), _synthclip()
    torch.save(dict(model=release, iteration=3), tmp_path / 'ovseg.pth')
    torch.save(dict(meta=dict(iter=2), state_dict=run), tmp_path / 'iter_2.pth')
    text = CLIPTextEncoder(model_name=TINY_VIT, pretrained=str(tmp_path / 'ovseg.pth'))
    text.init_weights()
    assert torch.equal(text.token_embedding.weight, release[_OVSEG + 'token_embedding.weight'])
    model = create_clip(TINY_VIT, str(tmp_path / 'iter_2.pth'))
    assert torch.equal(model.visual.conv1.weight, run['visual.conv1.weight'])
    assert torch.equal(model.token_embedding.weight,
                       run['classifier.text_encoder.token_embedding.weight'])
