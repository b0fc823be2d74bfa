"""Every config under configs/ resolves (``Config.fromfile``, no model build) to the stored dict.

The snapshot ``tests/data/resolved_configs.json`` holds each config's full resolved dict, as
``Config.to_dict()`` gives it with tuples written as lists. It was generated from the code before
issue 13 ("One house"), when configs named CLIP weights by ``work_dirs/...pt`` paths. Before
comparing, those paths are mapped to the weights names of :mod:`ovseg.utils.weights` by
:data:`WEIGHT_NAMES`, and the ``ExportCLIPHook`` of the configs in :data:`EXPORT_NAMES` gets the
name it now registers, the trained heads of :data:`PUBLISH_NAMES` publish their weights by name,
the released-OVSeg configs of :data:`WHOLE_NAMES` keep comma names
whole (item 2), and the two-stage configs of :data:`STAGE1_WEIGHTS` name their stage-1 weights
(item 6), so the test shows that nothing else changed. After an intentional change to a config,
regenerate the snapshot and review its diff::

    PYTHONPATH=$PWD python tests/test_config_resolution.py
"""
import argparse
import functools
import glob
import json
import os.path as osp
from typing import Any, Dict

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SNAPSHOT = osp.join(REPO, 'tests', 'data', 'resolved_configs.json')

#: The ``work_dirs`` paths configs named before weights had names, and the names that replace
#: them (issue 13, item 5).
WEIGHT_NAMES: Dict[str, str] = {
    'work_dirs/quickstart/synthclip-rn-s.pt': 'synthworld-rn-s',
    'work_dirs/synthclip-rn-s-regions/synthclip-rn-s-regions.pt': 'synthworld-rn-s-regions',
    'work_dirs/synthclip-vit-s/synthclip-vit-s.pt': 'synthworld-vit-s',
    'work_dirs/synthclip-vit-s-regions/synthclip-vit-s-regions.pt': 'synthworld-vit-s-regions',
    'work_dirs/mask-adapted-clip-ft_synthclip-vit-s_1xb64-5e_synthworld-captions-96/'
    'mask_adapted_clip.pt': 'synthworld-vit-s-mask-adapted-ft',
    'work_dirs/mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96/'
    'mask_adapted_clip.pt': 'synthworld-vit-s-mask-adapted-mpt',
    'work_dirs/mask-adapted-clip-ft-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96/'
    'mask_adapted_clip.pt': 'synthworld-vit-s-mask-adapted-ft-mpt',
}

#: Configs whose ``ExportCLIPHook`` now also registers its weights under a name.
EXPORT_NAMES: Dict[str, str] = {
    'configs/synthworld/synthclip_rn-s_synthworld-96.py': 'synthworld-rn-s',
    'configs/synthworld/synthclip_rn-s_synthworld-regions-96.py': 'synthworld-rn-s-regions',
    'configs/synthworld/synthclip_rn-s_synthworld-captions-96.py': 'synthworld-rn-s-captions',
    'configs/synthworld/synthclip_vit-s_synthworld-96.py': 'synthworld-vit-s',
    'configs/synthworld/synthclip_vit-s_synthworld-regions-96.py': 'synthworld-vit-s-regions',
    'configs/mask_adapted/mask-adapted-clip-ft_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py':
        'synthworld-vit-s-mask-adapted-ft',
    'configs/mask_adapted/mask-adapted-clip-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96.py':
        'synthworld-vit-s-mask-adapted-mpt',
    'configs/mask_adapted/mask-adapted-clip-ft-mpt_synthclip-vit-s_1xb64-5e_synthworld-captions-96'
    '.py': 'synthworld-vit-s-mask-adapted-ft-mpt',
}

#: Configs of the trained SynthWorld heads, which now publish their weights under a name with a
#: ``PublishWeightsHook`` after their ``VocabularyHook`` (issue 13, item 5).
PUBLISH_NAMES: Dict[str, str] = {
    'configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py':
        'synthworld-denseclip-rn-s',
    'configs/denseclip/denseclip_synthclip-vit-s_fpn_1xb8-1k_synthworld-128x128.py':
        'synthworld-denseclip-vit-s',
    'configs/denseclip/denseclip_synthclip-rn-s_fpn_1xb8-500_synthworld-128x128.py':
        'synthworld-quickstart-denseclip-rn-s',
    'configs/denseclip/denseclip-retinanet_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py':
        'synthworld-denseclip-retinanet-vit-s',
    'configs/denseclip/denseclip-mask-rcnn_synthclip-vit-s_fpn_1xb4-1k_synthworld-160.py':
        'synthworld-denseclip-mask-rcnn-vit-s',
    'configs/proposals/pmp_r18-w16_1xb8-1k_synthworld-128x128.py': 'synthworld-pmp-r18',
    'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py': 'synthworld-clip-attr-rn-s',
    'configs/proposals/mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py':
        'synthworld-mask2former-ov-r18',
}

#: Configs that evaluate OVSeg's released checkpoints: their text classifier now formats a comma
#: name such as 'road, route' into each template whole, as the original does (issue 13, item 2).
WHOLE_NAMES = ('configs/_base_/models/ovseg_vit-b16.py',
               'configs/mask_adapted/ovseg_sam-vit-b_clip-vit-b16_ade20k-640.py')


#: Two-stage configs whose stage-1 weights come from the config (``init_weights``, the strict
#: ``StrictPretrained`` init), no longer from a checkpoint built by hand (issue 13, item 6), by
#: the name their stage-1 config publishes (item 5).
STAGE1_WEIGHTS: Dict[str, str] = {
    'configs/mask_adapted/ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py':
        'synthworld-mask2former-ov-r18',
    'configs/mask_adapted/ovseg_pmp-r18_synthclip-vit-s_synthworld-160.py': 'synthworld-pmp-r18',
}


def config_paths(repo: str = REPO) -> Dict[str, str]:
    """``{path relative to repo: absolute path}`` of every ``.py`` file under ``configs/``."""
    paths = sorted(glob.glob(osp.join(repo, 'configs', '**', '*.py'), recursive=True))
    return {osp.relpath(p, repo): p for p in paths}


def _plain(value: Any) -> Any:
    """``value`` as JSON would read it back: tuples become lists, unknown objects their repr."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def resolve(path: str) -> dict:
    """The resolved dict of one config file, JSON-ready (``filename``-free, so checkouts agree)."""
    return _plain(Config.fromfile(path).to_dict())


def _rename_weights(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rename_weights(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename_weights(v) for v in value]
    return WEIGHT_NAMES.get(value, value) if isinstance(value, str) else value


def _name_export(cfg: dict, name: str) -> dict:
    hooks = [dict(h, name=name) if h.get('type') == 'ExportCLIPHook' and 'name' not in h else h
             for h in cfg['custom_hooks']]
    return dict(cfg, custom_hooks=hooks)


@functools.lru_cache(maxsize=1)
def _snapshot() -> Dict[str, dict]:
    with open(SNAPSHOT) as f:
        return json.load(f)


def test_snapshot_covers_every_config():
    assert sorted(_snapshot()) == sorted(config_paths()), (
        'configs were added or removed; regenerate the snapshot (module docstring)')


@pytest.mark.parametrize('name', sorted(config_paths()))
def test_config_resolves_as_before(name):
    expected = _rename_weights(_snapshot()[name])
    if name in EXPORT_NAMES:
        expected = _name_export(expected, EXPORT_NAMES[name])
    if name in PUBLISH_NAMES:
        publish = dict(type='PublishWeightsHook', name=PUBLISH_NAMES[name])
        hooks = [*expected['custom_hooks'], publish]
        expected = dict(expected, custom_hooks=hooks)
    if name in WHOLE_NAMES:
        text_classifier = dict(expected['model']['text_classifier'], synonyms='whole')
        expected = dict(expected, model=dict(expected['model'], text_classifier=text_classifier))
    if name in STAGE1_WEIGHTS:
        weights = STAGE1_WEIGHTS[name]
        init_cfg = dict(type='StrictPretrained', checkpoint=weights,
                        prefix='proposal_generator.')
        generator = dict(expected['model']['proposal_generator'], init_cfg=init_cfg)
        expected = dict(expected, proposal_weights=weights,
                        model=dict(expected['model'], proposal_generator=generator))
    assert resolve(config_paths()[name]) == expected


def main() -> None:
    parser = argparse.ArgumentParser(description='Regenerate tests/data/resolved_configs.json.')
    parser.add_argument('--repo', default=REPO, help='checkout whose configs are resolved '
                        '(default: this one)')
    parser.add_argument('--out', default=SNAPSHOT)
    args = parser.parse_args()
    snapshot = {name: resolve(path) for name, path in config_paths(args.repo).items()}
    with open(args.out, 'w') as f:
        json.dump(snapshot, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {len(snapshot)} resolved configs to {args.out}')


if __name__ == '__main__':
    main()
