"""Word crops of freshly rendered signs: a new sign of a random dictionary word on each scene.

The word-pair recipe's crops of the quickstart world's own signs can be memorised (about ten
signs per word); :class:`PasteRandomSign` renders a new one for every sample
(``configs/text_retrieval/README.md``, "third recipe").
"""
from typing import Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PasteRandomSign(BaseTransform):
    """Paste a freshly rendered sign of a random dictionary word onto the loaded scene.

    The quickstart world has about ten signs per word (2,018 in 2,000 train images for 217
    words): a word crop of it names its scene (background, sign colour) as well as its word, so
    a tower can memorise the scenes instead of reading. This transform gives every sample a new
    rendering instead: a word drawn uniformly from ``dictionary``, shown as SynthWorld's scene
    generator shows its signs (:func:`~ovseg.datasets.synthworld.sample_sign_style`: case, font,
    size relative to the image, angle, colours; ``render_sign``), pasted at a uniform position
    over the scene (objects and old signs may lie under it). ``words`` and ``polygons`` then
    hold this sign only, so a following :class:`RandomWordView` crops it. Random draws use
    ``np.random`` (seeded per sample by the training loop).

    Required keys: ``img`` (H, W, 3) BGR uint8. Modified: ``img``. Added or replaced:
    ``words`` (1 str, lower-case), ``polygons`` (1, 4, 2) pixels.

    Args:
        dictionary (str | Sequence[str]): words or a word list's name
            (:func:`~ovseg.models.text_retrieval.get_word_list`). Defaults to ``'synthworld'``.
        exclude_words (str | Sequence[str]): words (or a list's name) never drawn.
            Defaults to ().
    """

    def __init__(self, *, dictionary: Union[str, Sequence[str]] = 'synthworld',
                 exclude_words: Union[str, Sequence[str]] = ()) -> None:
        # imported here: the ovseg.models package pulls in every head (mmseg, mmdet, open_clip)
        from ...models.text_retrieval.word_lists import lower_case_words
        self.words = lower_case_words(dictionary, exclude=exclude_words)
        if not self.words:
            raise ValueError('PasteRandomSign: no word left in the dictionary')

    def transform(self, results: dict) -> dict:
        # imported here: the synthworld package imports this one (its datasets' pipelines)
        from ..synthworld.render import sample_sign_style
        from ..synthworld.signs import render_sign, sign_extent
        img = results['img']
        height, width = img.shape[:2]
        rng = np.random.default_rng(np.random.randint(2**31))
        word = self.words[rng.integers(len(self.words))]
        for _ in range(10):  # a style whose sign fits the image (the generator skips the others)
            rendered, font, font_size, angle, style = sample_sign_style(
                rng, word, image_size=min(height, width))
            w, h = sign_extent(rendered, font=font, font_size=font_size, angle=angle)
            if w <= width - 2 and h <= height - 2:
                break
        else:
            raise ValueError(f'PasteRandomSign: no sign of {word!r} fits a {width}x{height} '
                             'image')
        patch = render_sign(rendered, font=font, font_size=font_size, angle=angle,
                            sign_color=style[1], text_color=style[2])
        ph, pw = patch.mask.shape
        x, y = int(rng.integers(1, width - pw)), int(rng.integers(1, height - ph))
        img = img.copy()
        region = img[y:y + ph, x:x + pw]
        region[patch.mask] = patch.rgb[patch.mask][:, ::-1]  # RGB patch into the BGR image
        results['img'] = img
        results['words'] = [word]
        results['polygons'] = (patch.polygon + (x, y))[None]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(dictionary={len(self.words)} words)'
