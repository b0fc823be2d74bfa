_base_ = ['./denseclip_synthclip-rn-s_fpn_1xb8-1k_synthworld-128x128.py']
# The quickstart's DenseCLIP (tools/quickstart.py, weights 'synthworld-quickstart-denseclip-rn-s',
# served by demo/app.py): the 1k recipe cut to 500 iterations to fit the quickstart's 15 minutes.
max_iters = 500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=50, end=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVSegInferencer(name) loads them)
# (`python demo/app.py` serves it).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-quickstart-denseclip-rn-s')]
