"""Prompt template sets for turning class names into sentences.

Each template holds one ``{}`` for the class name and may hold ``{article}``, its indefinite
article (:func:`format_prompt`). The ImageNet sets are open_clip's (``OPENAI_IMAGENET_TEMPLATES``,
``SIMPLE_IMAGENET_TEMPLATES``), turned into strings.
"""
from typing import Dict, List, Sequence, Tuple, Union

from open_clip import OPENAI_IMAGENET_TEMPLATES, SIMPLE_IMAGENET_TEMPLATES

from ...utils import indefinite_article

# ViLD (https://arxiv.org/abs/2104.13921, Appendix): the 14 detection prompts
# most open-vocabulary segmenters (FC-CLIP, SAN, ...) average over.
VILD_TEMPLATES = (
    'a photo of a {}.',
    'This is a photo of a {}',
    'There is a {} in the scene',
    'There is the {} in the scene',
    'a photo of a {} in the scene',
    'a photo of a small {}.',
    'a photo of a medium {}.',
    'a photo of a large {}.',
    'This is a photo of a small {}.',
    'This is a photo of a medium {}.',
    'This is a photo of a large {}.',
    'There is a small {} in the scene.',
    'There is a medium {} in the scene.',
    'There is a large {} in the scene.',
)

TEMPLATE_SETS: Dict[str, Tuple[str, ...]] = {
    'vild': VILD_TEMPLATES,
    'imagenet': tuple(template('{}') for template in OPENAI_IMAGENET_TEMPLATES),
    'imagenet_simple': tuple(template('{}') for template in SIMPLE_IMAGENET_TEMPLATES),
    'single': ('a photo of a {}.',),
    'name': ('{}',),
    # CLIP's prompts match the class name to the pretraining text (Radford et al. 2021,
    # Sec. 3.1.4: 'A photo of a {label}.' for web alt-text). A CLIP pretrained on SynthWorld
    # captions has read objects only as 'a/an [attributes] <noun>' and never words such as
    # 'photo' or 'scene' (ViLD's), so its prompt is that noun phrase.
    'synthworld': ('{article} {}',),
}


# Zero-shot attribute prompts (the CLIP baseline of CLIP-Attr / OvarNet): ``{}`` is the
# attribute (or category) and ``{parent}`` its parent type, e.g. 'red' with 'color'. Hand-written
# here, in the spirit of CLIP's ensembles; the OVAD benchmark's CLIP baseline also puts the
# attribute before a noun. Used by AttributePromptClassifier(templates=...), which averages the
# embeddings of a class's templates as CLIP does.
ATTRIBUTE_TEMPLATE_SETS: Dict[str, Tuple[str, ...]] = {
    'attribute': (
        'a photo of a {} {parent}.',
        'a photo of {article} {} object.',
        'a photo of something {}.',
        'the {parent} of the object is {}.',
    ),
    # the noun-phrase form that SynthWorld captions use ('a large red star', 'a star'), with
    # 'shape' (the captions' word for objects) or the parent type as the noun
    'synthworld_attribute': (
        '{article} {}',
        '{article} {} shape',
        '{article} {} {parent}',
    ),
}


def list_attribute_template_sets() -> List[str]:
    """Names accepted by :func:`get_attribute_templates`: ``attribute`` (4 photo templates
    with the parent type) and ``synthworld_attribute`` (3 SynthWorld noun phrases)."""
    return list(ATTRIBUTE_TEMPLATE_SETS)


def get_attribute_templates(templates: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    """An attribute template set by name, or the templates of :func:`get_templates`.

    Examples:
        >>> get_attribute_templates('attribute')[0]
        'a photo of a {} {parent}.'
        >>> get_attribute_templates('{} {parent}')
        ('{} {parent}',)
    """
    if isinstance(templates, str) and templates in ATTRIBUTE_TEMPLATE_SETS:
        return ATTRIBUTE_TEMPLATE_SETS[templates]
    return get_templates(templates)


def list_template_sets() -> List[str]:
    """Names accepted by :func:`get_templates`: ``vild`` (14), ``imagenet`` (80),
    ``imagenet_simple`` (7), ``single``, ``name`` (the bare class name) and ``synthworld``
    (``'a star'``, ``'an arrow'``: SynthWorld captions' noun phrase)."""
    return list(TEMPLATE_SETS)


def get_templates(templates: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    """Resolve a template-set name, one template, or a list of templates.

    Args:
        templates (str | Sequence[str]): a name from :func:`list_template_sets`,
            a single template such as ``'a sketch of a {}.'``, or a list of them.

    Returns:
        tuple[str, ...]: templates, each with exactly one ``{}``.

    Examples:
        >>> len(get_templates('vild')), get_templates('single')
        (14, ('a photo of a {}.',))
    """
    if isinstance(templates, str):
        if templates in TEMPLATE_SETS:
            return TEMPLATE_SETS[templates]
        if '{}' not in templates:
            raise ValueError(f"Unknown template set '{templates}'; choose one of "
                             f'{list_template_sets()} or give templates containing {{}}.')
        templates = (templates,)
    templates = tuple(templates)
    bad = [t for t in templates if not isinstance(t, str) or t.count('{}') != 1]
    if not templates or bad:
        raise ValueError(f'Each template needs exactly one {{}} placeholder; got {bad or "none"}.')
    return templates


def format_prompt(template: str, name: str, **fields: str) -> str:
    """Fill ``template``'s ``{}`` with ``name``, its ``{article}`` with name's article and any
    other named field from ``fields`` (``parent=`` for attribute templates).

    Examples:
        >>> format_prompt('{article} {}', 'arrow'), format_prompt('a photo of a {}.', 'arrow')
        ('an arrow', 'a photo of a arrow.')
        >>> format_prompt('{article} {} {parent}', 'orange', parent='color')
        'an orange color'
    """
    try:
        return template.format(name, article=indefinite_article(name), **fields)
    except KeyError as err:
        raise ValueError(f'template {template!r} has the field {{{err.args[0]}}}, which is '
                         f'not given (given: {{}}, {{article}}'
                         + ''.join(f', {{{k}}}' for k in fields) + ')') from None
