"""Tests for ovseg/models/clip/templates.py."""
import pytest

from ovseg.models.clip import VILD_TEMPLATES, get_templates, list_template_sets
from ovseg.models.clip.templates import format_prompt


def test_template_sets():
    assert set(list_template_sets()) >= {'vild', 'imagenet', 'single'}
    assert get_templates('vild') == VILD_TEMPLATES and len(VILD_TEMPLATES) == 14
    imagenet = get_templates('imagenet')
    assert len(imagenet) == 80 and imagenet[0] == 'a bad photo of a {}.'
    assert get_templates('single') == ('a photo of a {}.',)
    for name in list_template_sets():
        assert all(t.count('{}') == 1 for t in get_templates(name))


def test_synthworld_prompts_take_the_article_of_the_name():
    templates = get_templates('synthworld')
    assert [format_prompt(t, n) for t in templates for n in ('star', 'arrow')] == [
        'a star', 'an arrow']
    assert format_prompt('a photo of a {}.', 'arrow') == 'a photo of a arrow.'  # as written


def test_custom_templates():
    assert get_templates('a sketch of a {}.') == ('a sketch of a {}.',)
    assert get_templates(['{} in the wild', 'a {}']) == ('{} in the wild', 'a {}')


@pytest.mark.parametrize('bad', ['no-such-set', ['no placeholder'], ['{} and {}'], []])
def test_invalid_templates(bad):
    with pytest.raises(ValueError):
        get_templates(bad)
