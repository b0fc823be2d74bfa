# FDP scene-text retrieval on the SynthWorld CLIP (configs/text_retrieval/README.md).
_base_ = [
    '../_base_/models/fdp_synthclip-rn-s.py',
    '../_base_/datasets/synthworld_text-retrieval.py',
    '../_base_/schedules/fdp_adam-step-300.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval={{_base_.max_iters}}))
