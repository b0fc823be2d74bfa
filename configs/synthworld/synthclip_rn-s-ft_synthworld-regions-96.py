# The quickstart RN CLIP ('synthworld-rn-s', `make quickstart`) fine-tuned for 120 iterations of
# batch 64 on the three corpora of ./synthclip_rn-s_synthworld-regions-96.py (object names,
# close-ups, masked regions of the labelled train regions): a short way to teach the quickstart
# CLIP the 7 stuff names and mean-filled region crops that two-stage crop mode classifies
# (issue 17; 22 min on 2 loaded cores, where the 420-iteration recipe there ran at 1.5 h):
#   python tools/train.py configs/synthworld/synthclip_rn-s-ft_synthworld-regions-96.py \
#       --work-dir work_dirs/synthclip-rn-s-ft-regions
_base_ = './synthclip_rn-s_synthworld-regions-96.py'
max_iters = 120
model = dict(pretrained='synthworld-rn-s')
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=False, begin=10, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
custom_hooks = [
    dict(type='VocabularyHook', synonyms_key='classes'),
    dict(type='ExportCLIPHook', filename='synthclip-rn-s-ft-regions.pt',
         name='synthworld-rn-s-ft-regions'),
]
