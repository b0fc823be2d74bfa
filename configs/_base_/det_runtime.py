_base_ = './default_runtime.py'
# default_runtime.py for mmdet models: mmdet scope, detection visualizer and hook.
default_scope = 'mmdet'
visualizer = dict(type='DetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = dict(
    checkpoint=dict(by_epoch=True, interval=1),
    visualization=dict(_delete_=True, type='DetVisualizationHook'))
log_processor = dict(by_epoch=True)
