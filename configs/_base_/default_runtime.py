# Runtime shared by every ovseg config (mmseg-style; detection configs set default_scope='mmdet').
default_scope = 'mmseg'
# mmengine's Runner with ovseg's checkpoint guarantees (ovseg/engine/runner.py).
runner_type = 'OVSegRunner'
custom_imports = dict(
    imports=['ovseg.models', 'ovseg.datasets', 'ovseg.evaluation', 'ovseg.engine'],
    allow_failed_imports=False)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
# No fixed `name`: the Runner names the visualizer after the run. A fixed name makes it a
# process-wide singleton, and every later Runner in the process logs into the first run's dir.
visualizer = dict(type='SegLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # random generators saved in checkpoints and restored on resume (README "Resume")
    random_state=dict(type='RandomStateHook'),
    visualization=dict(type='SegVisualizationHook'))
# Open-vocabulary models read their vocabulary from the running dataset's metainfo.
custom_hooks = [dict(type='VocabularyHook')]
randomness = dict(seed=0)
