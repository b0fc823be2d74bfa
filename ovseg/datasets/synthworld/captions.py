"""English captions of a SynthWorld scene, built from its objects, relations and sign words.

:func:`describe` returns a list of 2 or 3 str captions: a relational sentence about the two
largest shapes (with the signs, if any), a list of every shape, and a sentence about the signs
when there are any. Captions always name every category and attribute, seen or unseen.

Examples:
    >>> from types import SimpleNamespace as NS
    >>> star = NS(category='star', background='grass', mask=np.ones((4, 4), bool),
    ...           attributes=dict(size='large', color='red', pattern='striped', fill='filled'))
    >>> describe(objects=[star], words=[], occlusions=[])[0]
    'a large red striped star on grass.'
"""
import numpy as np

from ...utils import indefinite_article

_BACKGROUND_PHRASE = dict(sky='in the sky', grass='on grass', brick='in front of a brick wall',
                          wood='on wood', water='on water', sand='on sand')
_NUMBERS = ('no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight')


def _with_article(words: list) -> str:
    return f'{indefinite_article(words[0])} ' + ' '.join(words)


def noun_phrase(obj, *, full: bool = True) -> str:
    """``'a large hollow red striped star'`` (``full``) or ``'a hollow red star'``."""
    a = obj.attributes
    words = [a['size']] if full else []
    words += ['hollow'] if a['fill'] == 'hollow' else []
    words += [a['color']]
    words += [a['pattern']] if full and a['pattern'] != 'plain' else []
    return _with_article(words + [obj.category])


def _relation(objects: list, first: int, second: int, occlusions: list) -> str:
    """Spatial relation of ``objects[first]`` to ``objects[second]``."""
    if (first, second) in occlusions:
        return 'in front of'
    if (second, first) in occlusions:
        return 'behind'
    (ay, ax), (by, bx) = (np.argwhere(objects[k].mask).mean(0) for k in (first, second))
    if abs(bx - ax) >= abs(by - ay):
        return 'left of' if ax < bx else 'right of'
    return 'above' if ay < by else 'below'


def join_items(items: list) -> str:
    """English list: ``'a'``, ``'a and b'``, ``'a, b and c'``."""
    return items[0] if len(items) == 1 else ', '.join(items[:-1]) + ' and ' + items[-1]


def describe(*, objects: list, words: list, occlusions: list) -> list:
    """Captions of one scene.

    Args:
        objects (list): Shapes with ``category``, ``attributes``, ``background`` and visible
            ``mask`` (H, W) bool, in drawing order.
        words (list): Signs with ``text`` and ``sign_color``.
        occlusions (list): (front index, back index) pairs into ``objects``.

    Returns:
        list[str]: 2 or 3 captions.
    """
    order = sorted(range(len(objects)), key=lambda k: -int(objects[k].mask.sum()))
    main = noun_phrase(objects[order[0]])
    if len(order) > 1:
        main += (f' {_relation(objects, order[0], order[1], occlusions)} '
                 f'{noun_phrase(objects[order[1]])}')
    main += ' ' + _BACKGROUND_PHRASE[objects[order[0]].background]
    quoted = [f'"{w.text}"' for w in words]
    if words:
        main += (f', next to a sign that says {quoted[0]}' if len(words) == 1 else
                 f', next to signs that say {join_items(quoted)}')
    backgrounds = list(dict.fromkeys(o.background for o in objects))
    noun = 'shape' if len(objects) == 1 else 'shapes'
    captions = [main + '.',
                f'{_NUMBERS[len(objects)]} {noun} over {join_items(backgrounds)}: '
                f'{join_items([noun_phrase(o, full=False) for o in objects])}.']
    if words:
        captions.append(join_items([f'a {w.sign_color} sign that says "{w.text}"' for w in words])
                        + '.')
    return captions
