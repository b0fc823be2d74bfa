_base_ = './pmp_r18-w16_1xb8-1k_synthworld-128x128.py'
# PMP placement ablation baseline: no text attention (placement='none' is exactly the plain
# open-vocabulary Mask2Former head, OpenVocabMask2FormerHead).
model = dict(proposal_generator=dict(head=dict(placement='none')))
# After training, PublishWeightsHook writes the weights into the ovseg weights cache under
# this name (ovseg/utils/weights.py; OVSegInferencer(name) loads them)
# (stage 1 of configs/mask_adapted/ovseg_*_synthworld-160.py).
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-mask2former-ov-r18')]
