_base_ = './mask2former-ov_r18-w16_1xb8-1k_synthworld-128x128.py'
# The open-vocabulary Mask2Former proposal segmentor (placement 'none') on the text tower of the
# RN CLIP of the two-stage RN configs ('synthworld-rn-s-ft-regions': the quickstart RN
# fine-tuned on masked regions, configs/synthworld/synthclip_rn-s-ft_synthworld-regions-96.py),
# on a short schedule (300 iterations of batch 8, issue 17; the 1k configs take 4 min alone, this
# one 13 min on 2 loaded cores). Stage 1 of
# configs/mask_adapted/ovseg_mask2former-ov-r18_synthclip-rn-s_synthworld-160.py.
clip_name = 'synthworld-rn-s'
clip_weights = 'synthworld-rn-s-ft-regions'
max_iters = 300
model = dict(text_classifier=dict(
    text_encoder=dict(model_name=clip_name, pretrained=clip_weights)))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=30),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=30, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-mask2former-ov-r18-rn-s')]
