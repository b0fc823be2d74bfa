"""CLIP pixel statistics: one definition (open_clip's), used by every head and by the configs."""
import ast
import re
from pathlib import Path

import open_clip
import pytest
import torch

from ovseg.models.clip import (CLIP_MEAN, CLIP_STD, clip_data_preprocessor, denormalize_image,
                               normalize_image)

ROOT = Path(__file__).resolve().parents[3]


def test_statistics_are_open_clips_in_0_255():
    assert CLIP_MEAN == tuple(255 * v for v in open_clip.OPENAI_DATASET_MEAN)
    assert CLIP_STD == tuple(255 * v for v in open_clip.OPENAI_DATASET_STD)
    cfg = clip_data_preprocessor()
    assert cfg == dict(type='ImgDataPreprocessor', mean=list(CLIP_MEAN), std=list(CLIP_STD),
                       bgr_to_rgb=True)


def test_normalize_round_trip():
    image = torch.rand(2, 3, 5, 4) * 255
    torch.testing.assert_close(denormalize_image(normalize_image(image)), image)
    assert normalize_image(torch.tensor(CLIP_MEAN).view(3, 1, 1)).eq(0).all()


def test_no_second_definition_in_the_code():
    """Only ``normalization.py`` reads open_clip's statistics or spells them out."""
    spelled = re.compile(r'OPENAI_DATASET_(MEAN|STD)|0\.4814|122\.77|68\.50')
    owners = sorted(str(p.relative_to(ROOT)) for folder in ('ovseg', 'tools', 'demo')
                    for p in (ROOT / folder).rglob('*.py') if spelled.search(p.read_text()))
    assert owners == ['ovseg/models/clip/normalization.py']


def _clip_preprocessors():
    """(file, mean, std) of every config data preprocessor that normalises with CLIP's
    statistics (a mean starting near 122.77)."""
    found = []
    for path in sorted((ROOT / 'configs').rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, 'id', None) == 'dict':
                args = {k.arg: k.value for k in node.keywords}
                if 'mean' in args and 'std' in args:
                    try:
                        mean, std = ast.literal_eval(args['mean']), ast.literal_eval(args['std'])
                    except ValueError:
                        continue
                    if isinstance(mean, list) and abs(mean[0] - CLIP_MEAN[0]) < 0.5:
                        found.append((path.name, mean, std))
    return found


def test_configs_spell_the_same_statistics():
    """Configs are data and keep literal numbers (they resolve without importing ovseg); they
    agree with the one definition to the 3 decimals they write."""
    found = _clip_preprocessors()
    assert len(found) >= 6
    for name, mean, std in found:
        assert mean == pytest.approx(CLIP_MEAN, abs=1e-3), name
        assert std == pytest.approx(CLIP_STD, abs=1e-3), name
