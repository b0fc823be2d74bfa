"""tools/test.py without a checkpoint: a zero-shot head evaluated with the weights its config
names (``init_weights``), by weights name from the cache; a two-stage model whose stage-1
weights the config names too.

The configs are the SynthWorld "GT masks + CLIP" evaluation (zero-shot OVSeg stage 2) and the
"Mask2Former + CLIP" ensemble, with the tiny ``ovseg-tiny-vit`` CLIP registered in the test's
weights cache under the name the configs read ('synthworld-vit-s-regions'), on an 8-image world.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from ovseg.testing import save_init_weights_checkpoint, script_env
from ovseg.utils.weights import CACHE_ENV, register_weights

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/mask_adapted/ovseg_gt-masks_synthclip-vit-s_synthworld-160.py')
TWO_STAGE = osp.join(ROOT, 'configs/mask_adapted/'
                     'ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py')
STAGE1 = osp.join(ROOT, 'configs/proposals/mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py')
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def world(tmp_path_factory) -> str:
    from ovseg.datasets.synthworld import SceneConfig, generate
    root = str(tmp_path_factory.mktemp('synthworld'))
    generate(root, num_train=2, num_val=8, seed=0, config=SceneConfig(image_size=64), workers=1,
             log=lambda *a: None)
    return root


def _options(world: str):
    opts = ['model.mask_classifier.clip.model_name=ovseg-tiny-vit',
            'model.mask_classifier.clip.prompt_depth=2',
            'model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
            'model.text_classifier.templates=single']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={world}', f'{loader}.batch_size=2',
                 f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return opts


def _run(*args):
    env = script_env()
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _metrics(work_dir: str) -> dict:
    """The evaluation's metrics (timings left out; NaN as a string, so that NaN == NaN)."""
    (log,) = glob.glob(osp.join(work_dir, '*', '*.json'))
    with open(log) as f:
        metrics = json.loads(f.read().splitlines()[-1])
    return {k: str(v) for k, v in metrics.items() if k not in ('time', 'data_time')}


def test_zero_shot_head_without_checkpoint_matches_the_converted_checkpoint(
        world, tmp_path, tiny_vit_checkpoint):
    register_weights('synthworld-vit-s-regions', tiny_vit_checkpoint)
    options = _options(world)
    # the old two steps: the init_weights model saved as a checkpoint, then evaluated
    ckpt = save_init_weights_checkpoint(CONFIG, str(tmp_path / 'zero_shot.pth'),
                                        cfg_options=options)
    proc = _run('tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'two_steps'),
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # one step
    proc = _run('tools/test.py', CONFIG, '--work-dir', str(tmp_path / 'one_step'),
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'No checkpoint given: initialising the weights with init_weights' in proc.stdout
    two_steps, one_step = _metrics(str(tmp_path / 'two_steps')), _metrics(str(tmp_path / 'one_step'))
    assert float(one_step['aAcc']) > 0, one_step  # the CLIP labels some pixels right
    assert one_step == two_steps


def test_missing_weights_name_is_one_error_line(world, tmp_path, monkeypatch):
    empty = str(tmp_path / 'empty_cache')
    monkeypatch.setenv(CACHE_ENV, empty)
    proc = _run('tools/test.py', CONFIG, '--work-dir', str(tmp_path / 'work'),
                '--cfg-options', *_options(world))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith('error: ') and lines[0].endswith(
        f"weights 'synthworld-vit-s-regions' are not in {empty} (set {CACHE_ENV} to use another "
        'folder): run `python tools/train.py configs/synthworld/synthclip_vit-s_synthworld-'
        'regions-96.py`'), lines[0]


def test_two_stage_config_names_its_stage1_weights(world, tmp_path, tiny_vit_checkpoint):
    register_weights('synthworld-vit-s-regions', tiny_vit_checkpoint)
    part = str(tmp_path / 'stage1' / 'iter_1000.pth')
    os.makedirs(osp.dirname(part))
    # a stage-1 ProposalSegmentor checkpoint (its training run's keys: proposal_generator.*,
    # text_classifier.*), drawn with another seed than the two-stage model's own init
    torch.manual_seed(1)
    save_init_weights_checkpoint(STAGE1, part, cfg_options=[
        'model.text_classifier.text_encoder.model_name=ovseg-tiny-vit',
        'model.proposal_generator.head.embed_dim=32'])
    options = _options(world) + ['model.proposal_generator.head.embed_dim=32']
    # the old two steps: the init_weights model (stage-1 init left out) with the stage-1
    # checkpoint's proposal_generator.* keys loaded on top, saved, then evaluated
    reference = save_init_weights_checkpoint(
        TWO_STAGE, str(tmp_path / 'two_stage.pth'),
        cfg_options=[*options, 'model.proposal_generator.init_cfg=None'], part=part,
        part_prefix='proposal_generator.')
    proc = _run('tools/test.py', TWO_STAGE, reference, '--work-dir', str(tmp_path / 'two_steps'),
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # one step: the config's stage-1 weights, here pointed at the test's stage-1 run
    proc = _run('tools/test.py', TWO_STAGE, '--work-dir', str(tmp_path / 'one_step'),
                '--cfg-options', *options, f'model.proposal_generator.init_cfg.checkpoint={part}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'No checkpoint given: initialising the weights with init_weights' in proc.stdout
    two_steps = _metrics(str(tmp_path / 'two_steps'))
    one_step = _metrics(str(tmp_path / 'one_step'))
    assert one_step == two_steps


@pytest.mark.parametrize('config', [CONFIG, osp.join(
    ROOT, 'configs/attributes/clip-attr_synthclip-rn-s_synthworld.py')])
def test_vocabulary_option_finds_the_vocabulary_hook_or_a_subclass(config):
    from mmengine.config import Config

    from ovseg.testing import load_script
    cfg = Config.fromfile(config)
    load_script('tools/test.py')._set_test_vocabulary(cfg, 'disc, star')
    (hook,) = [h for h in cfg.custom_hooks if 'test_vocabulary' in h]
    assert hook['test_vocabulary'] == ['disc', 'star']


def test_out_appends_mmdet_dump_to_every_form_of_test_evaluator():
    from mmengine.config import Config

    from ovseg.testing import load_script
    from ovseg.utils import InputError
    dump_results = load_script('tools/test.py')._dump_results
    dump = dict(type='mmdet.DumpDetResults', out_file_path='r.pkl')
    metric = dict(type='AttributeMAPMetric')
    for evaluator, expected in (
            ([metric], [metric, dump]), (metric, [metric, dump]), (None, [dump]),
            (dict(type='Evaluator', metrics=metric),
             dict(type='Evaluator', metrics=[metric, dump]))):
        cfg = Config(dict(test_evaluator=evaluator))
        dump_results(cfg, 'r.pkl')
        assert cfg.test_evaluator == expected
    with pytest.raises(InputError, match='--out r.json: the dump file must end with .pkl'):
        dump_results(Config(dict(test_evaluator=metric)), 'r.json')


def test_out_dumps_detections_that_clip_attr_reads_as_proposals(synthworld_64, tmp_path):
    """OvarNet box-free (tiny, init weights) --out dets.pkl; the file's boxes are CLIP-Attr's
    proposals; a wrong extension is one error line."""
    from ovseg.apis.detection_results import read_detection_results
    config = osp.join(ROOT, 'configs/attributes/ovarnet_synthclip-rn-s_synthworld-box-free.py')
    options = ['model.model_name=ovseg-tiny-rn', 'model.pretrained=None',
               'model.num_context_tokens=3', 'model.neck.in_channels=[32,64,128,256]',
               'model.neck.out_channels=16', 'model.rpn_head.in_channels=16',
               'model.rpn_head.feat_channels=16',
               'model.roi_head.bbox_roi_extractor.out_channels=16',
               'model.roi_head.num_layers=1', 'model.distill=None',
               f'test_dataloader.dataset.data_root={synthworld_64}',
               'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False']
    out = str(tmp_path / 'dets.pkl')
    proc = _run('tools/test.py', config, '--work-dir', str(tmp_path / 'work'), '--out', out,
                '--cfg-options', *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    detections = read_detection_results(out)
    assert len(detections) == 6 and sum(map(len, detections.values())) > 0  # the 6 val images
    proposals = str(tmp_path / 'dets.json')
    proc = _run('tools/test.py', config, '--out', proposals, '--cfg-options', *options)
    assert proc.returncode != 0 and not osp.exists(proposals)
    assert proc.stderr.strip().splitlines()[-1].endswith(
        '--out ' + proposals + ': the dump file must end with .pkl or .pickle.'), proc.stderr
    assert 'Traceback' not in proc.stderr
